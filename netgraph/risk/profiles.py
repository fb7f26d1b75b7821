"""Risk profiles: declarative YAML files (``loaders/risk/`` or any path), validated like mappings.

A profile names what to target and why: a name, a rationale, the matching conditions, a score, a validity
window, an owner and a handling code (5x5x5: 1–5). A file holds one profile or a list under ``profiles:``::

    profiles:
      - name: ivory-east-africa-to-asia
        rationale: Ivory seized on flights from Kenya to Thailand, 2009–2016 (C4ADS).
        owner: CITES desk
        handling: 3
        valid_from: 2026-01-01
        valid_to: 2026-12-31
        score: 40
        conditions:
          routes: [KE>TH]            # a leg, or consecutive stops: KE>AE>TH (ISO country codes)
          declared_goods: [handicraft, carving]
          near_offenders: {steps: 2}

Every condition given must hold (``match: any``: at least one). Text conditions (commodities, declared goods,
concealment, airlines, traders, people) match case-insensitively as words within the record's text; an
airline also by its IATA code. A mistake is an error that names the file, the line and the field.

>>> [p.name for p in load_profiles()]                                # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..ingest import mapping as _mapping
from ..resources import NetgraphError, loaders_dir

_MAX_PROBLEMS = 10


class ProfileError(NetgraphError, ValueError):
    """A profile file is missing, not YAML netgraph reads, or not a valid profile."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Range(_Strict):
    """A closed range; either end may be left out."""
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' is above 'max'")
        return self


class NearOffenders(_Strict):
    """A party of the consignment (person, company, phone, account) within ``steps`` ties of a known offender
    (someone involved in a seizure; see :mod:`netgraph.risk.network`)."""
    steps: int = Field(2, ge=0, le=6)


Texts = list[str]


class Conditions(_Strict):
    origin: list[str] = []
    transit: list[str] = []
    destination: list[str] = []
    routes: list[str] = Field([], description="legs or routes of ISO country codes: 'KE>TH', 'KE>AE>TH'")
    airports: Texts = []
    airlines: Texts = []
    commodities: Texts = []
    declared_goods: Texts = []
    concealment: Texts = []
    traders: Texts = []
    people: Texts = []
    phones: Texts = []
    weight_kg: Range | None = None
    months: list[int] = []
    near_offenders: NearOffenders | None = None

    @field_validator("origin", "transit", "destination")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return [_country(v) for v in value]

    @field_validator("routes")
    @classmethod
    def _routes(cls, value: list[str]) -> list[str]:
        out = []
        for route in value:
            stops = [s.strip() for s in re.split(r"\s*(?:>|→|->)\s*", str(route))]
            if len(stops) < 2:
                raise ValueError(f"a route is two or more ISO country codes joined by '>' (e.g. KE>TH), not {route!r}")
            out.append(">".join(_country(s) for s in stops))
        return out

    @field_validator("airports", "airlines", "commodities", "declared_goods", "concealment", "traders", "people",
                     "phones")
    @classmethod
    def _texts(cls, value: list[str]) -> list[str]:
        if any(not str(v).strip() for v in value):
            raise ValueError("an empty text matches everything; remove it")
        return [str(v).strip() for v in value]

    @field_validator("months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= m <= 12 for m in value):
            raise ValueError("months are 1–12")
        return value

    def given(self) -> list[str]:
        """The names of the conditions this profile sets."""
        return [name for name in type(self).model_fields if getattr(self, name) not in (None, [])]


def _country(text: str) -> str:
    code = str(text).strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{str(text)[:20]!r} is not an ISO 3166 two-letter country code (e.g. KE, TH, VN)")
    return code


class Profile(_Strict):
    name: str = Field(pattern=r"^\w[\w.-]*$", max_length=100)
    rationale: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    handling: int = Field(ge=1, le=5, description="5x5x5 handling code of the profile itself")
    valid_from: dt.date
    valid_to: dt.date
    score: float = Field(gt=0, le=1000)
    match: str = Field("all", pattern="^(all|any)$")
    conditions: Conditions
    source: str | None = None  # the file it was read from (set by load_profiles)

    @model_validator(mode="after")
    def _window(self):
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if not self.conditions.given():
            raise ValueError("conditions: give at least one (a profile with none would match everything)")
        return self

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to


class ProfileFile(_Strict):
    profiles: list[Profile] = Field(min_length=1)


def default_profiles_dir() -> Path:
    return loaders_dir() / "risk"


def load_profiles(path: str | Path | None = None) -> list[Profile]:
    """The profiles of a YAML file, or of every ``*.yaml`` in a folder (default: ``loaders/risk/``), in file
    then list order; two profiles of one name are an error.

    >>> sorted({p.owner for p in load_profiles()})
    ['netgraph example (edit before use)']
    """
    path = default_profiles_dir() if path is None else Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.yaml"))
        if not files:
            raise ProfileError(f"{path}: no profile files (*.yaml) in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise ProfileError(f"no profile file or folder {str(path)!r}")
    profiles, seen = [], {}
    for file in files:
        for profile in _read(file):
            if profile.name in seen:
                raise ProfileError(f"{file}: profile {profile.name!r} is also defined in {seen[profile.name]}; "
                                   "names must be unique")
            seen[profile.name] = file
            profiles.append(profile)
    return profiles


def _read(path: Path) -> list[Profile]:
    size = path.stat().st_size
    if size > _mapping.MAX_MAPPING_BYTES:
        raise ProfileError(f"{path}: {size:,} bytes, but a profile file is a small YAML file (at most "
                           f"{_mapping.MAX_MAPPING_BYTES:,} bytes)")
    try:
        document, root = _mapping._parse_yaml(_mapping._text(path.read_bytes(), path), path)
    except _mapping.MappingSyntaxError as exc:  # the same limits and messages as a mapping's, named for profiles
        raise ProfileError(str(exc).replace("mapping file", "profile file").replace("a mapping", "a profile file")
                           .replace("the mapping", "the profile file")) from None
    wrapped = isinstance(document, dict) and "profiles" in document
    if not isinstance(document, dict):
        raise ProfileError(f"{path}: not a risk profile (expected YAML keys such as name, rationale, conditions, "
                           "or a list under 'profiles:'; see loaders/risk/ for examples)")
    try:
        parsed = ProfileFile.model_validate(document if wrapped else {"profiles": [document]})
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False)
        lines = []
        for e in problems[:_MAX_PROBLEMS]:
            loc = tuple(e["loc"]) if wrapped else tuple(e["loc"])[2:]
            lines.append(f"  line {_mapping._line(root, loc)}, {_where(document, loc, wrapped)}: {e['msg']}")
        if len(problems) > _MAX_PROBLEMS:
            lines.append(f"  … and {len(problems) - _MAX_PROBLEMS} more")
        raise ProfileError(f"{path}: invalid risk profile:\n" + "\n".join(lines)) from None
    return [p.model_copy(update={"source": str(path)}) for p in parsed.profiles]


def _where(document: dict, loc: tuple, wrapped: bool) -> str:
    """``profiles[1] (name).conditions.routes.0`` — the profile by position and name, then the field."""
    if wrapped and len(loc) >= 2 and loc[0] == "profiles" and isinstance(loc[1], int):
        items = document.get("profiles") or []
        name = items[loc[1]].get("name") if loc[1] < len(items) and isinstance(items[loc[1]], dict) else None
        head = f"profiles[{loc[1]}]" + (f" ({str(name)[:40]})" if name else "")
        rest = _mapping._location(loc[2:])
        return head + ("." + rest if loc[2:] else "")
    return _mapping._location(loc)


def profiles_yaml(profiles: list[Profile]) -> str:
    """Profiles as the YAML :func:`load_profiles` reads (for drafts an analyst then edits)."""
    items = []
    for p in profiles:
        data = p.model_dump(exclude={"source"}, exclude_defaults=False)
        data["conditions"] = p.conditions.model_dump(exclude_defaults=True)
        items.append(data)
    return yaml.dump({"profiles": items}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


class _Dumper(yaml.SafeDumper):
    """Plain YAML: no anchors and aliases for values that repeat (dates)."""

    def ignore_aliases(self, data) -> bool:
        return True


#: the profile condition a candidate indicator's dimension becomes
CONDITION_OF = {"origin_country": "origin", "transit_country": "transit", "destination_country": "destination",
                "leg": "routes", "airport": "airports", "airline": "airlines", "concealment": "concealment",
                "declared_goods": "declared_goods", "commodity": "commodities"}


def draft_profiles(candidates, top: int = 10, owner: str = "netgraph draft (edit before use)", handling: int = 3,
                   valid_from: dt.date | None = None, valid_days: int = 365, source: str = "the store's seizures",
                   min_size: int = 1) -> list[Profile]:
    """Profiles drafted from the first ``top`` candidate indicators (:func:`netgraph.risk.indicators.candidates`)
    whose conditions a profile can express and that combine at least ``min_size`` dimensions: conditions
    from the indicator, score ``round(10 * log2(1 + lift))``, a rationale that cites the seizures, their
    years and the first records behind it, valid ``valid_days`` from ``valid_from`` (default: today). Edit
    them before use.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"rank": [1], "indicator": ["leg Kenya → Thailand & commodity ivory"],
    ...                   "conditions": [{"leg": "KE>TH", "commodity": "ivory"}], "size": [2], "seizures": [12],
    ...                   "lift": [7.0], "records": [["record:C4ADS-ROUTES:5"]]})
    >>> p = draft_profiles(c, valid_from=dt.date(2026, 1, 1))[0]
    >>> p.name, p.score, p.conditions.routes, p.conditions.commodities, str(p.valid_to)
    ('routes-KE-TH-commodities-ivory', 30.0, ['KE>TH'], ['ivory'], '2026-12-31')
    """
    import math

    start = valid_from or dt.date.today()
    drafted, names = [], set()
    for row in candidates.itertuples():
        if len(drafted) >= top:
            break
        conditions = dict(row.conditions)
        if len(conditions) < min_size or not set(conditions) <= set(CONDITION_OF):
            continue
        spec = {}
        for dimension, value in conditions.items():
            value = str(value)
            if dimension == "airport":
                value = re.sub(r"^place:[A-Z]{2}:", "", value)
            spec.setdefault(CONDITION_OF[dimension], []).append(value)
        name = "-".join(f"{d}-{v[0] if len(v) == 1 else '+'.join(v)}" for d, v in spec.items())
        name = re.sub(r"[^\w.-]+", "-", name).strip("-")[:100]
        if name in names:
            continue
        names.add(name)
        records = list(row.records)
        cited = ", ".join(r.split(":")[-1] for r in records[:5]) + (" …" if len(records) > 5 else "")
        drafted.append(Profile(
            name=name, owner=owner, handling=handling, valid_from=start,
            valid_to=start + dt.timedelta(days=valid_days - 1), score=round(10 * math.log2(1 + row.lift)),
            rationale=f"Drafted from {source}: {row.indicator} — {row.seizures} seizures, lift {row.lift:.1f} "
                      f"(candidate {row.rank}); records {cited}.",
            conditions=Conditions(**spec)))
    return drafted


#: the dimensions a profile can be drafted from
TARGETABLE_CONDITIONS = tuple(CONDITION_OF)
