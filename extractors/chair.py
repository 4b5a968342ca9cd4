"""PLACEHOLDER component for 'chair' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_chair")
def make_component(nlp, name):
    return lambda doc: doc
