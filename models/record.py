"""Record types: what extraction produces and what every later stage passes around.

Plain dataclasses, no ORM and no spaCy: they are built by ``pipeline.extract`` from a
processed ``Doc`` and turned into the JSON shape of ``shared/spec/RECORD.md`` by
``Record.to_json``. Extra keys (``evidence``, ``flags`` with detail) are allowed by the spec.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

#: The scalar and list fields of a record, in the spec's order.
FIELDS = ("kind", "office", "date", "date_end", "time", "venue", "chair", "agencies",
          "places", "sites", "findings", "foreigners_found", "violations")
KINDS = ("meeting", "operation", "mixed", "other")

# Flag kinds (``Flag.kind``); the review queue and search filter on these.
FLAG_MISSING = "missing"              # a required field has no value
FLAG_CANDIDATES = "several_candidates"
FLAG_YEAR_INFERRED = "year_inferred"
FLAG_WEEKDAY_MISMATCH = "weekday_mismatch"
FLAG_FUZZY_PLACE = "fuzzy_place"
FLAG_AMBIGUOUS_PLACE = "ambiguous_place"
FLAG_UNKNOWN_AGENCY = "unknown_agency"
FLAG_NOT_A_REPORT = "not_a_report"
FLAG_KINDS = (FLAG_MISSING, FLAG_CANDIDATES, FLAG_YEAR_INFERRED, FLAG_WEEKDAY_MISMATCH,
              FLAG_FUZZY_PLACE, FLAG_AMBIGUOUS_PLACE, FLAG_UNKNOWN_AGENCY, FLAG_NOT_A_REPORT)


@dataclass
class Evidence:
    """Where a value came from: character offsets into the canonical text and the rule id."""

    start: int
    end: int
    text: str
    rule: str
    page: Optional[int] = None      # PDF page (1-based)
    block: Optional[int] = None     # DOCX paragraph / table-cell index, TXT line (0-based)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Flag:
    field: str
    kind: str
    message: str
    start: Optional[int] = None
    end: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Chair:
    name: Optional[str]
    role: Optional[str]


@dataclass
class Agency:
    code: str
    name: str                                # the mention as written
    jurisdiction: Optional[str] = None       # Kemendagri region code, e.g. "76.04"
    jurisdiction_name: Optional[str] = None  # e.g. "Kabupaten Mamasa"


@dataclass
class Place:
    name: str    # official Kemendagri name, e.g. "Kabupaten Mukomuko"
    code: str    # Kemendagri code, e.g. "17.06"
    mention: Optional[str] = None


@dataclass
class Record:
    id: str
    kind: str = "other"
    office: Optional[str] = None
    date: Optional[str] = None
    date_end: Optional[str] = None
    time: Optional[str] = None
    venue: Optional[str] = None
    chair: Optional[Chair] = None
    agencies: list[Agency] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    foreigners_found: Optional[int] = None
    violations: Optional[bool] = None
    published: Optional[str] = None
    flags: list[Flag] = field(default_factory=list)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def to_json(self, *, with_evidence: bool = True) -> dict[str, Any]:
        """The RECORD.md JSON shape (plus ``published``, ``evidence`` and detailed ``flags``)."""
        out: dict[str, Any] = {
            "id": self.id,
            "published": self.published,
            "kind": self.kind,
            "office": self.office,
            "date": self.date,
            "date_end": self.date_end,
            "time": self.time,
            "venue": self.venue,
            "chair": None if self.chair is None else {"name": self.chair.name, "role": self.chair.role},
            "agencies": [{k: v for k, v in asdict(a).items() if v is not None} for a in self.agencies],
            "places": [{k: v for k, v in asdict(p).items() if v is not None} for p in self.places],
            "sites": [{"name": s} for s in self.sites],
            "findings": [{"text": f} for f in self.findings],
            "foreigners_found": self.foreigners_found,
            "violations": self.violations,
            "flags": [f.to_json() for f in self.flags],
        }
        if with_evidence:
            out["evidence"] = {k: [e.to_json() for e in v] for k, v in self.evidence.items() if v}
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Record":
        chair = data.get("chair")
        return cls(
            id=str(data["id"]),
            kind=data.get("kind") or "other",
            office=data.get("office"),
            date=data.get("date"),
            date_end=data.get("date_end"),
            time=data.get("time"),
            venue=data.get("venue"),
            chair=Chair(chair.get("name"), chair.get("role")) if isinstance(chair, dict) else None,
            agencies=[Agency(**a) if isinstance(a, dict) else Agency(code=str(a), name=str(a))
                      for a in data.get("agencies") or []],
            places=[Place(**p) if isinstance(p, dict) else Place(name=str(p), code="")
                    for p in data.get("places") or []],
            sites=[s["name"] if isinstance(s, dict) else str(s) for s in data.get("sites") or []],
            findings=[f["text"] if isinstance(f, dict) else str(f) for f in data.get("findings") or []],
            foreigners_found=data.get("foreigners_found"),
            violations=data.get("violations"),
            published=data.get("published"),
            flags=[Flag(**f) for f in data.get("flags") or [] if isinstance(f, dict)],
            evidence={k: [Evidence(**e) for e in v] for k, v in (data.get("evidence") or {}).items()},
        )
