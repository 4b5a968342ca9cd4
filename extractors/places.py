"""PLACEHOLDER component for 'places' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_places")
def make_component(nlp, name):
    return lambda doc: doc


def region_name(code):
    return code
