"""PLACEHOLDER component for 'violations' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_violations")
def make_component(nlp, name):
    return lambda doc: doc
