"""PLACEHOLDER component for 'foreigners' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_foreigners")
def make_component(nlp, name):
    return lambda doc: doc
