"""PLACEHOLDER component for 'findings' (to be replaced by its real implementation)."""
from spacy.language import Language


@Language.factory("timpora_findings")
def make_component(nlp, name):
    return lambda doc: doc
