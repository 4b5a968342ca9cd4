"""PLACEHOLDER component for 'sites' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_sites")
def make_component(nlp, name):
    return lambda doc: doc
