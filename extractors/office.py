"""PLACEHOLDER component for 'office' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_office")
def make_component(nlp, name):
    return lambda doc: doc
