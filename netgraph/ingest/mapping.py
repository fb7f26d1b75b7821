"""Declarative source mappings: which column of a source file means what.

A mapping is a YAML file in ``loaders/mappings/`` (or any path). It names the source system, the date
formats, the separators of multi-valued cells, and maps columns to netgraph's canonical seizure-record
fields. It is validated with pydantic, so a typo in a mapping is an error that names the bad key.

A mapping file is read as plain data (YAML's safe subset: no tags that build Python objects), UTF-8 (or
UTF-16 with a byte-order mark), at most ``MAX_MAPPING_BYTES`` (1 MiB), at most ``MAX_YAML_NODES`` (10,000)
values once its aliases are expanded (an "alias bomb" is refused, not expanded), nested at most
``MAX_YAML_DEPTH`` (50) levels. Each cause of refusal has its own :class:`MappingError`; a message names the
file, the line and column or the key, and never quotes the file's contents.

>>> m = load_mapping("cen_customs")
>>> m.fields.date.column, m.required_columns()
('Date of seizure', ['Case ID', 'Date of seizure', 'Country of seizure', 'Commodity'])
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..resources import NetgraphError, loaders_dir
from ..schema import OTHER_LINKS, SEIZURE_EVENT
from .tables import ROW

MAX_MAPPING_BYTES = 1 << 20
MAX_YAML_NODES = 10_000
MAX_YAML_DEPTH = 50
_MAX_PROBLEMS = 10  # validation problems a message lists


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Separators = str | list[str]


class _Values(_Strict):
    """How a cell becomes values, in this order: split into entries at ``separator`` (one string or a list;
    ``"\n"`` splits at line breaks, which otherwise read as spaces), each entry matched by ``pattern`` (a
    regular expression with named groups; the value is the group ``group``, by default the one named like the
    field), then looked up in ``map`` (value as written → value read; case, spacing and outer punctuation
    ignored). ``optional``: an entry the pattern does not find gives no value instead of rejecting its row."""
    separator: Separators | None = None
    pattern: str | None = None
    group: str | None = None
    map: dict[str, str] = {}
    optional: bool = False

    @field_validator("separator")
    @classmethod
    def _separators(cls, value):
        return value if value is None else _checked_separators(value)

    @field_validator("map", mode="before")
    @classmethod
    def _map_as_text(cls, value):
        """YAML reads ``1.0: 1`` as numbers; a value map holds text."""
        if not isinstance(value, dict):
            return value
        if any(isinstance(v, bool) for pair in value.items() for v in pair):
            raise ValueError("yes/no/true/false read as booleans: quote them ('yes': '1')")
        return {(str(k) if isinstance(k, (int, float)) else k): ("" if v is None else str(v) if isinstance(
            v, (int, float)) else v) for k, v in value.items()}

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value):
        if value is not None:
            try:
                compiled = re.compile(value)
            except re.error as exc:
                where = f" at position {exc.pos}" if exc.pos is not None else ""
                raise ValueError(f"not a regular expression Python reads{where}") from None
            if not compiled.groupindex:
                raise ValueError("the pattern names no group: write (?P<name>...) around the value to take")
        return value

    @field_validator("optional")
    @classmethod
    def _optional_pattern(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("pattern", "") is None:  # absent: the pattern itself was refused
            raise ValueError("'optional' says a pattern may not match: give a 'pattern'")
        return value

    @model_validator(mode="after")
    def _reads_no_row_number(self):
        if ROW in self.columns():
            raise ValueError(f"{ROW!r} is no column of the file (netgraph keeps each row's number under that name); "
                             "to identify records by file and row, leave 'record_id' out")
        return self

    def columns(self) -> list[str]:
        return []

    def named(self) -> str | None:
        """The column a rejected row names."""
        return getattr(self, "column", None)

    def separators(self, default: Separators) -> tuple[str, ...]:
        return tuple(_listed(self.separator if self.separator is not None else default))

    def take(self, field: str) -> None:
        """Choose the pattern's group for ``field`` (its own name unless ``group`` names one), or refuse."""
        if self.pattern is None:
            if self.group is not None:
                raise ValueError("'group' needs a 'pattern'")
            return
        groups = list(re.compile(self.pattern).groupindex)
        if self.group is None:
            self.group = field if field in groups else groups[0] if len(groups) == 1 else None
            if self.group is None:
                raise ValueError(f"the pattern has {len(groups)} groups and none named {field!r}: say which to "
                                 "take with 'group'")
        elif self.group not in groups:
            raise ValueError("'group' names no group of the pattern")


def _listed(value: Separators) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _checked_separators(value: Separators) -> Separators:
    if value == [] or any(s == "" for s in _listed(value)):
        raise ValueError("give one or more separators, none of them empty")
    return value


class Column(_Values):
    """Where a field's value comes from: a column (with an optional fallback column), several ``columns``
    whose non-empty cells are joined by ``join`` (", " unless given), or a constant; ``default`` where the
    cell is empty. ``newline``: what a line break inside a cell means: ``space`` (the default, unless a
    separator is a line break), ``comma`` ("Beihai\nGuangxi" reads "Beihai, Guangxi") or ``separator`` (it
    splits the field's entries)."""
    column: str | None = None
    fallback: str | None = None
    joined_columns: list[str] | None = Field(None, alias="columns", min_length=2)
    join: str | None = None
    value: str | None = None
    default: str | None = None
    required: bool = False
    newline: Literal["space", "comma", "separator"] | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if sum(x is not None for x in (self.column, self.joined_columns, self.value)) != 1:
            raise ValueError("give exactly one of 'column', 'columns' or 'value'")
        self._sources_fit()
        return self

    def _sources_fit(self) -> None:
        if self.fallback is not None and self.column is None:
            raise ValueError("'fallback' goes with 'column'")
        if self.join is not None and self.joined_columns is None:
            raise ValueError("'join' goes with 'columns'")
        if self.newline in ("space", "comma") and "\n" in _listed(self.separator or []):
            raise ValueError(f"'newline: {self.newline}' but a line break is one of the separators")

    def columns(self) -> list[str]:
        return [c for c in (self.column, self.fallback, *(self.joined_columns or [])) if c]

    def separators(self, default: Separators) -> tuple[str, ...]:
        found = super().separators(default)
        return found + ("\n",) if self.newline == "separator" and "\n" not in found else found

    def named(self) -> str | None:
        """The column a rejected row names: the field's column, or its joined columns ("City + Province")."""
        return self.column or (" + ".join(self.joined_columns) if self.joined_columns else None)


class DateColumn(Column):
    """A date: a cell (formats: the mapping's ``date_formats``; a range ``A to B`` or ``A–B`` keeps both ends)
    or built from ``year``, ``month`` and ``day`` columns (a year alone is a date of that precision)."""
    year: str | None = None
    month: str | None = None
    day: str | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if self.joined_columns is not None:
            raise ValueError("a date reads one 'column', or 'year', 'month' and 'day': not 'columns'")
        if sum(x is not None for x in (self.column, self.value, self.year)) != 1:
            raise ValueError("give exactly one of 'column', 'value' or 'year' (with 'month' and 'day')")
        self._sources_fit()
        if (self.month is not None or self.day is not None) and self.year is None:
            raise ValueError("'month' and 'day' need a 'year' column")
        if self.day is not None and self.month is None:
            raise ValueError("'day' needs a 'month' column")
        if self.year is not None and (self.fallback or self.separator is not None or self.pattern or self.map):
            raise ValueError("a date built from 'year', 'month' and 'day' takes no fallback, separator, pattern or map")
        return self

    def columns(self) -> list[str]:
        return super().columns() + [c for c in (self.year, self.month, self.day) if c]


def _iso_currency(value: str | None) -> str | None:
    """An ISO 4217 code (upper case), or refuse."""
    if value is not None and (len(value) != 3 or pycountry.currencies.get(alpha_3=value.upper()) is None):
        raise ValueError("not an ISO 4217 currency code (CNY, VND, USD, EUR …)")
    return value.upper() if value else value


class Money(Column):
    """An amount of money ("50,000 CNY", "CNY 50,000", "¥50,000", "50.000 VND", "人民币5万元"); ``currency``
    (an ISO 4217 code) applies where the cell names none."""
    currency: str | None = None

    _currency = field_validator("currency")(_iso_currency)


class Place(Column):
    """A place cell. ``format``: ``name`` (a place or country name) or ``city_country`` ("Hanoi, Vietnam")."""
    format: str = Field("name", pattern="^(name|city_country)$")
    kind: str | None = None  # e.g. port, airport, border_crossing; else taken from the gazetteer
    lat: str | None = None  # columns of the place's coordinates (decimal or DMS): the file's win over the gazetteer's
    lon: str | None = None

    def columns(self) -> list[str]:
        return super().columns() + [c for c in (self.lat, self.lon) if c]


class Quantity(Column):
    """A quantity cell ("12.5", "400 g", "3 con", "400g each"); ``unit`` applies where the cell names none,
    ``unit_column`` gives the units in a column of their own (one per quantity, or one for all), ``units``
    adds unit names (as written → a unit netgraph knows, e.g. ``no.: pieces``); ``product`` (live, carcass,
    scales …) is the product of the commodity the quantity counts, over the record's ``form``."""
    unit: str | None = None
    unit_column: str | None = None
    units: dict[str, str] = {}
    product: str | None = None

    @field_validator("product")
    @classmethod
    def _known_product(cls, value: str | None) -> str | None:
        from .species import commodity  # the vocabulary knows the products

        if value is not None and getattr(commodity(value), "how", None) != "product":
            raise ValueError("not a product of loaders/vocab/commodities.yaml (live, carcass, scales, meat, "
                             "ivory …)")
        return value

    @field_validator("units")
    @classmethod
    def _known_units(cls, value: dict[str, str]) -> dict[str, str]:
        from .vocab import unit  # the vocabulary knows the units

        if any(unit(target) is None for target in value.values()):
            raise ValueError("each unit name must stand for a unit of loaders/vocab/units.yaml (kg, g, t, pieces …)")
        return value

    def columns(self) -> list[str]:
        return super().columns() + ([self.unit_column] if self.unit_column else [])


class Party(_Values):
    """A cell listing people or organisations with one role (or ``role_column``, one role per name), and
    parallel cells about each of them (split like the names: one entry per name, or one for all)."""
    column: str
    role: str = "suspect"
    role_column: str | None = None
    nationality: str | None = None
    phone: str | None = None
    passport: str | None = None
    birth_date: str | None = None
    employer: str | None = None
    directs: str | None = None
    account: str | None = None
    fine: str | None = None  # the fine of each name (an amount of money, as ``Money`` reads it)
    currency: str | None = None  # the fines' ISO 4217 currency where a cell names none
    required: bool = False

    _currency = field_validator("currency")(_iso_currency)

    @model_validator(mode="after")
    def _name_group(self):
        self.take("name")
        return self

    def columns(self) -> list[str]:
        return [c for c in (self.column, self.role_column, self.nationality, self.phone, self.passport,
                            self.birth_date, self.employer, self.directs, self.account, self.fine) if c]


class DocumentColumn(Column):
    kind: str = "document"


class Fields(_Strict):
    record_id: Column | None = None
    seizure_id: Column | None = None
    date: DateColumn
    agency: Column | None = None
    country: Place | None = None
    place: Place | None = None
    transport_mode: Column | None = None
    detection_method: Column | None = None
    concealment: Column | None = None
    commodity: Column | None = None
    form: Column | None = None  # live, frozen, scales …: the product
    quantities: list[Quantity] = []
    origin: Place | None = None
    transit: Place | None = None
    destination: Place | None = None
    route: Column | None = None
    conveyance: Column | None = None
    conveyance_kind: Column | None = None
    documents: list[DocumentColumn] = []
    arrested: Column | None = None  # how many people were arrested
    arrest_date: DateColumn | None = None
    prosecution_date: DateColumn | None = None
    conviction_date: DateColumn | None = None
    sentence: Column | None = None
    joint_with: Place | None = None  # the other country's agency the case was worked with
    value: Money | None = None  # the seizure's declared worth
    purpose: Column | None = None  # sale, food, medicine … (loaders/vocab/purposes.yaml)
    case_number: Column | None = None  # the court case's number
    judgement_date: DateColumn | None = None
    reliability: Column | None = None
    validity: Column | None = None
    handling: Column | None = None
    grading: Column | None = None  # combined code such as "B2" or "B2-4"

    @field_validator("*")
    @classmethod
    def _groups(cls, spec, info: ValidationInfo):
        """A field with a pattern takes the group named like it (or the one its ``group`` names)."""
        for item in (spec if isinstance(spec, list) else [spec]):
            if item is not None:
                item.take({"quantities": "quantity", "documents": "document"}.get(info.field_name, info.field_name))
        return spec


class Continues(_Strict):
    """Rows that continue a record over several rows: a row whose ``when_empty`` column is empty belongs to the
    record of the nearest row above it where that column is filled (its own seizure, the record's people)."""
    when_empty: str = Field(min_length=1)


class Mapping(_Strict):
    name: str = Field(pattern=r"^\w[\w.-]*$", max_length=100,
                      description="letters, digits, '_', '.', '-' (it names the rejects file)")
    description: str
    source: str = Field(min_length=1, description="the source system written on every Record, e.g. 'CEN' or 'VN-FPD'")
    encoding: str | None = None
    delimiter: str | None = Field(None, pattern=r'^[^"\r\n]$', description="one character, not a quote")
    sheet: str | int | None = None
    event: str = Field(SEIZURE_EVENT, pattern=r"^[a-z][a-z_]*$", max_length=40,
                       description="what a record reports: seizure (the default), meeting, call, transaction, "
                       "summit, … (lower-case letters and '_'; reports name events by it)")
    date_formats: list[str] = ["%Y-%m-%d"]
    list_separator: Separators = Field(";", description="between the entries of a list cell; a field's "
                                        "'separator' overrides it")
    fields: Fields
    people: list[Party] = []
    organizations: list[Party] = []
    transport_modes: dict[str, str] = {}  # source value -> air | sea | road | rail | post
    continues: Continues | None = None
    notes: str | None = None

    @field_validator("continues")
    @classmethod
    def _continues_a_column_read(cls, value: Continues | None, info: ValidationInfo) -> Continues | None:
        if value is not None and "fields" in info.data:
            read = _columns_read(info.data["fields"], [*info.data.get("people", []),
                                                       *info.data.get("organizations", [])])
            if value.when_empty not in read:
                raise ValueError(f"when_empty: {value.when_empty!r} is no column the mapping reads; name the "
                                 "column that is filled on a record's first row only (e.g. the record id's)")
        return value

    @field_validator("list_separator")
    @classmethod
    def _separators(cls, value):
        if value == "":  # as pydantic says it of a plain string
            raise PydanticCustomError("string_too_short", "String should have at least 1 character")
        return _checked_separators(value)

    @field_validator("event")
    @classmethod
    def _event_kind(cls, value: str) -> str:
        if value in OTHER_LINKS:
            raise ValueError(f"{value!r} names a kind of link between people, not an event; choose another word")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                known = codecs.lookup(value)._is_text_encoding
            except LookupError:
                known = False
            if not known:
                raise ValueError("not a text encoding Python knows (e.g. utf-8, cp1258, gb18030, cp1252)")
        return value

    def required_columns(self) -> list[str]:
        """Columns that must be present in the file, else the load stops before writing anything."""
        cols = []
        specs = [getattr(self.fields, n) for n in Fields.model_fields]
        specs = [s for spec in specs for s in (spec if isinstance(spec, list) else [spec])]
        for spec in [*specs, *self.people, *self.organizations]:
            if spec is not None and spec.required:
                cols += [spec.column] if spec.column else getattr(spec, "joined_columns", None) or []
        return [c for c in cols if c]

    def known_columns(self) -> list[str]:
        """Every column the mapping reads (for warning about columns the file lacks)."""
        return _columns_read(self.fields, [*self.people, *self.organizations])


def _columns_read(fields: Fields, parties: list[Party]) -> list[str]:
    cols = []
    for name in Fields.model_fields:
        spec = getattr(fields, name)
        for s in (spec if isinstance(spec, list) else [spec]):
            if s is not None:
                cols += s.columns()
    for party in parties:
        cols += party.columns()
    return list(dict.fromkeys(cols))


class MappingError(NetgraphError, ValueError):
    """A mapping file is missing or invalid."""


class MappingNotFoundError(MappingError):
    """No shipped mapping has that name and no file that path."""


class MappingSyntaxError(MappingError):
    """The file is not a YAML document netgraph reads: malformed YAML, a tag that would build an object, not
    UTF-8 text, empty, too big, too deep or too many values once aliases are expanded."""


class MappingInvalidError(MappingError):
    """YAML, but not a valid netgraph mapping: a missing, unknown or badly typed key."""


def available_mappings() -> list[str]:
    """Names of the mappings shipped in ``loaders/mappings``."""
    return sorted(p.stem for p in (loaders_dir() / "mappings").glob("*.yaml"))


def load_mapping(name_or_path: str | Path) -> Mapping:
    """Load a shipped mapping by name (``cen_customs``) or any mapping file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = loaders_dir() / "mappings" / f"{name_or_path}.yaml"
    if not path.is_file():
        raise MappingNotFoundError(f"no mapping {str(name_or_path)!r}; shipped mappings: "
                                   f"{', '.join(available_mappings())}, or give the path of a mapping YAML file")
    size = path.stat().st_size
    if size > MAX_MAPPING_BYTES:
        raise MappingSyntaxError(f"{path}: {size:,} bytes, but a mapping is a small YAML file (at most "
                                 f"{MAX_MAPPING_BYTES:,} bytes); is this the mapping?")
    document, root = _parse_yaml(_text(path.read_bytes(), path), path)
    if not isinstance(document, dict) or not set(document) & set(Mapping.model_fields):
        raise MappingInvalidError(f"{path}: not a netgraph mapping (expected YAML keys such as name, description, "
                                  "source and fields; see loaders/mappings/ for examples)")
    try:
        return Mapping.model_validate(document)
    except ValidationError as exc:
        problems = exc.errors(include_input=False, include_url=False)
        lines = [f"  line {_line(root, e['loc'])}, {_location(e['loc'])}: {e['msg']}" for e in problems[:_MAX_PROBLEMS]]
        if len(problems) > _MAX_PROBLEMS:
            lines.append(f"  … and {len(problems) - _MAX_PROBLEMS} more")
        raise MappingInvalidError(f"{path}: invalid mapping:\n" + "\n".join(lines)) from None


def _text(data: bytes, path: Path) -> str:
    """The mapping's text: UTF-8, or UTF-8/UTF-16 with a byte-order mark."""
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    if not data.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise MappingSyntaxError(f"{path}: the mapping file is empty")
    if encoding == "utf-8" and b"\x00" in data:
        raise MappingSyntaxError(f"{path}: holds NUL bytes (UTF-16 without a byte-order mark, or not a text file?); "
                                 "save the mapping as UTF-8 text")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise MappingSyntaxError(f"{path}: not {encoding.upper().removesuffix('-SIG')} text (byte {exc.start:,} does "
                                 "not decode); save the mapping as UTF-8") from None


class _Loader(yaml.SafeLoader):
    """YAML's safe subset: plain data, no tag that builds a Python object."""


def _parse_yaml(text: str, path: Path):
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise MappingSyntaxError(f"{path}: the mapping file holds no YAML document")
        _check_size(node, path)
        return loader.construct_document(node), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = _unquoted(exc.problem or exc.context or type(exc).__name__)
        hint = ("; a mapping holds plain YAML only (no tags such as !!python/...)"
                if isinstance(exc, yaml.constructor.ConstructorError) else "")
        raise MappingSyntaxError(f"{path}: not valid YAML{where}: {what}{hint}") from None
    except yaml.reader.ReaderError as exc:
        raise MappingSyntaxError(f"{path}: a character YAML does not allow (code {exc.character!r}) at position "
                                 f"{exc.position:,}; save the mapping as UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise MappingSyntaxError(f"{path}: not valid YAML ({type(exc).__name__})") from None
    except RecursionError:
        raise MappingSyntaxError(f"{path}: YAML nested too deeply (a mapping nests at most {MAX_YAML_DEPTH} "
                                 "levels)") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_size(root: yaml.Node, path: Path) -> None:
    """Refuse a document that nests too deeply, refers to itself, or holds too many values once every alias
    is expanded (counted without expanding: each node's size is computed once)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            if sizes[key] > MAX_YAML_NODES:
                raise MappingSyntaxError(f"{path}: more than {MAX_YAML_NODES:,} values once its aliases (*name) are "
                                         "expanded; a mapping is small (an alias bomb?)")
            continue
        if key in sizes:
            continue
        if depth > MAX_YAML_DEPTH:
            raise MappingSyntaxError(f"{path}: YAML nested more than {MAX_YAML_DEPTH} levels deep")
        open_.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in open_:
                raise MappingSyntaxError(f"{path}: an alias (*name) refers to a value that contains it")
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _unquoted(text: str) -> str:
    """A YAML error without the file's text it quotes."""
    return re.sub(r"'[^']*'|\"[^\"]*\"", "…", text)


def _line(root: yaml.Node, loc: tuple) -> int:
    """The line (from 1) of the deepest key of ``loc`` the document has: the key a problem is about, or the
    mapping that lacks it."""
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)]
            if not found:
                break
            line, node = found[0][0].start_mark.line + 1, found[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _location(loc: tuple) -> str:
    parts = []
    for part in loc:
        part = str(part)
        parts.append(part if len(part) <= 40 else part[:40] + "…")
    return ".".join(parts) or "(the document)"
