"""PLACEHOLDER component for 'agencies' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_agencies")
def make_component(nlp, name):
    return lambda doc: doc
