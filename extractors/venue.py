"""PLACEHOLDER component for 'venue' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_venue")
def make_component(nlp, name):
    return lambda doc: doc
