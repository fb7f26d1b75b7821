"""Declarative source mappings: which column of a source file means what.

A mapping is a YAML file in ``loaders/mappings/`` (or any path). It names the source system, the date
formats, the separators of multi-valued cells, and maps columns to netgraph's canonical seizure-record
fields. It is validated with pydantic, so a typo in a mapping is an error that names the bad key.

>>> m = load_mapping("cen_customs")
>>> m.fields.date.column, m.required_columns()
('Date of seizure', ['Case ID', 'Date of seizure', 'Country of seizure', 'Commodity'])
"""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..resources import loaders_dir


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Column(_Strict):
    """Where a field's value comes from: a column (with an optional fallback column) or a constant."""
    column: str | None = None
    fallback: str | None = None
    value: str | None = None
    required: bool = False

    @model_validator(mode="after")
    def _one_source(self):
        if (self.column is None) == (self.value is None):
            raise ValueError("give exactly one of 'column' or 'value'")
        return self

    def columns(self) -> list[str]:
        return [c for c in (self.column, self.fallback) if c]


class Place(Column):
    """A place cell. ``format``: ``name`` (a place or country name) or ``city_country`` ("Hanoi, Vietnam")."""
    format: str = Field("name", pattern="^(name|city_country)$")
    kind: str | None = None  # e.g. port, airport, border_crossing; else taken from the gazetteer


class Quantity(Column):
    """A quantity cell ("12.5", "400 g", "3 con"); ``unit`` applies where the cell names none."""
    unit: str | None = None
    unit_column: str | None = None

    def columns(self) -> list[str]:
        return super().columns() + ([self.unit_column] if self.unit_column else [])


class Party(_Strict):
    """A cell listing people or organisations with one role, and parallel cells about each of them."""
    column: str
    role: str = "suspect"
    nationality: str | None = None
    phone: str | None = None
    passport: str | None = None
    birth_date: str | None = None
    employer: str | None = None
    directs: str | None = None
    account: str | None = None
    required: bool = False

    def columns(self) -> list[str]:
        return [c for c in (self.column, self.nationality, self.phone, self.passport, self.birth_date,
                            self.employer, self.directs, self.account) if c]


class DocumentColumn(Column):
    kind: str = "document"


class Fields(_Strict):
    record_id: Column | None = None
    seizure_id: Column | None = None
    date: Column
    agency: Column | None = None
    country: Place | None = None
    place: Place | None = None
    transport_mode: Column | None = None
    detection_method: Column | None = None
    concealment: Column | None = None
    commodity: Column | None = None
    quantities: list[Quantity] = []
    origin: Place | None = None
    transit: Place | None = None
    destination: Place | None = None
    route: Column | None = None
    conveyance: Column | None = None
    conveyance_kind: Column | None = None
    documents: list[DocumentColumn] = []
    arrested: Column | None = None  # how many people were arrested
    arrest_date: Column | None = None
    prosecution_date: Column | None = None
    conviction_date: Column | None = None
    sentence: Column | None = None
    joint_with: Place | None = None  # the other country's agency the case was worked with
    reliability: Column | None = None
    validity: Column | None = None
    handling: Column | None = None
    grading: Column | None = None  # combined code such as "B2" or "B2-4"


class Mapping(_Strict):
    name: str
    description: str
    source: str = Field(description="the source system written on every Record, e.g. 'CEN' or 'VN-FPD'")
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    date_formats: list[str] = ["%Y-%m-%d"]
    list_separator: str = ";"
    fields: Fields
    people: list[Party] = []
    organizations: list[Party] = []
    transport_modes: dict[str, str] = {}  # source value -> air | sea | road | rail | post
    notes: str | None = None

    def required_columns(self) -> list[str]:
        """Columns that must be present in the file, else the load stops before writing anything."""
        cols = []
        specs = [getattr(self.fields, n) for n in Fields.model_fields]
        specs = [s for spec in specs for s in (spec if isinstance(spec, list) else [spec])]
        for spec in [*specs, *self.people, *self.organizations]:
            if spec is not None and spec.required:
                cols.append(spec.column)
        return [c for c in cols if c]

    def known_columns(self) -> list[str]:
        """Every column the mapping reads (for warning about columns the file lacks)."""
        cols = []
        for name in Fields.model_fields:
            spec = getattr(self.fields, name)
            for s in (spec if isinstance(spec, list) else [spec]):
                if s is not None:
                    cols += s.columns()
        for party in [*self.people, *self.organizations]:
            cols += party.columns()
        return list(dict.fromkeys(cols))


class MappingError(ValueError):
    """A mapping file is missing or invalid."""


def available_mappings() -> list[str]:
    """Names of the mappings shipped in ``loaders/mappings``."""
    return sorted(p.stem for p in (loaders_dir() / "mappings").glob("*.yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a shipped mapping by name (``cen_customs``) or any mapping file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = loaders_dir() / "mappings" / f"{name_or_path}.yaml"
    if not path.is_file():
        raise MappingError(f"no mapping {name_or_path!r}; shipped mappings: {', '.join(available_mappings())}")
    try:
        return Mapping.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise MappingError(f"{path}: invalid mapping:\n{exc}") from None
