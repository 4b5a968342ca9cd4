"""spaCy rule components, one per record field, on ``spacy.blank("id")``.

``build_nlp()`` assembles the pipeline (about 1.6 s, dominated by the blank Indonesian
tokenizer); ``get_nlp()`` builds it once per process. Each module in this package
registers one factory beside its component, in the style of spaCy's ``span_ruler.py``.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Iterable, Optional

#: (module, factory) in pipeline order: later components may read earlier spans
#: (agencies read places for jurisdictions, kind reads sites/findings, ...).
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("dates", "timpora_dates"),
    ("places", "timpora_places"),
    ("agencies", "timpora_agencies"),
    ("office", "timpora_office"),
    ("venue", "timpora_venue"),
    ("chair", "timpora_chair"),
    ("sites", "timpora_sites"),
    ("findings", "timpora_findings"),
    ("foreigners", "timpora_foreigners"),
    ("violations", "timpora_violations"),
    ("kind", "timpora_kind"),
)


def build_nlp(components: Optional[Iterable[str]] = None):
    """A fresh pipeline with all components, or only the named factories (for tests)."""
    import spacy

    wanted = set(components) if components is not None else None
    nlp = spacy.blank("id")
    for module, factory in COMPONENTS:
        if wanted is not None and factory not in wanted:
            continue
        importlib.import_module(f"{__name__}.{module}")
        nlp.add_pipe(factory)
    return nlp


@lru_cache(maxsize=1)
def get_nlp():
    """The full pipeline, built once per process."""
    return build_nlp()
