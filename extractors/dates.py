"""PLACEHOLDER component for 'dates' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_dates")
def make_component(nlp, name):
    return lambda doc: doc
