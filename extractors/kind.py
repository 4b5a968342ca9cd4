"""PLACEHOLDER component for 'kind' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_kind")
def make_component(nlp, name):
    return lambda doc: doc
