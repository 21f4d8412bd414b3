"""Reading a roster file (.xlsx or .csv) into checked rows: pure, no database.

One spreadsheet row is one unit and at most one customer of it; several customers of a
unit are several rows. Every row is checked on its own (required cells, numbers, phone,
e-mail, known kinds) and against the rows above it (the same unit with different data,
the same phone for two different people). Bad rows are reported with their spreadsheet
row number (the header is row 1) and every reason found, so a user fixes a row once.

Columns, accepted spellings and the reasons with ``render`` live in ``import_vocab``; the ones
callers reach through this module (``COLUMNS``, ``render*``, ``template_*``, ``E_*``) are re-exported.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from estatedesk.core import crypto
from estatedesk.org.import_vocab import (
    COLUMN_BY_KEY,
    COLUMNS,
    E_AREA,
    E_AREA_LARGE,
    E_AREA_NEGATIVE,
    E_BUILDING_MISSING,
    E_CUSTOMER_NAME,
    E_CUSTOMER_TYPE,
    E_EMAIL,
    E_EMAIL_CONFLICT,
    E_EMPTY,
    E_ESTATE_KIND,
    E_ESTATE_KIND_CONFLICT,
    E_ESTATE_MISSING,
    E_FLOOR,
    E_NO_HEADER,
    E_OCCUPIED,
    E_PHONE,
    E_PHONE_CONFLICT,
    E_TOO_LONG,
    E_TYPE_CONFLICT,
    E_UNIT_CONFLICT,
    E_UNIT_KIND,
    E_UNIT_MISSING,
    E_UNREADABLE,
    REQUIRED,
    Problem,
    header_map,
    lookup_value,
    norm_header,
    render,
)
from estatedesk.org.import_vocab import render_problems as render_problems
from estatedesk.org.import_vocab import template_example as template_example
from estatedesk.org.import_vocab import template_headers as template_headers

# The header may sit below a title line ("翠湖花园业户名册"); look this far down for it.
HEADER_SEARCH_ROWS = 10

# --- Rows --------------------------------------------------------------------------------


@dataclass(slots=True)
class RosterRow:
    row: int  # spreadsheet row number, header = 1
    estate: str
    estate_kind: str | None
    building: str
    unit: str
    floor: int | None
    area: Decimal | None
    unit_kind: str | None
    occupied: bool | None
    customer: str  # "" when the row has no customer
    customer_type: str | None  # None: the importer picks the default for the estate
    phone: str  # normalised digits, "" when not given
    email: str

    @property
    def unit_key(self) -> tuple[str, str, str]:
        return (self.estate, self.building, self.unit)

    @property
    def customer_identity(self) -> tuple[Any, ...] | None:
        """Who the customer is within one file: their phone in the estate, else their name at the unit."""
        if not self.customer:
            return None
        if self.phone:
            return ("phone", self.estate, self.phone)
        return ("name", self.estate, self.customer, self.building, self.unit)


@dataclass(slots=True)
class RowError:
    row: int
    problems: list[Problem]

    def as_dict(self) -> dict[str, Any]:
        """Stored on the import job; ``reason`` is written in the language active now."""
        return {
            "row": self.row,
            "reason": " ".join(render(p.code, p.params) for p in self.problems),
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class ParseResult:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0  # data rows that were not blank
    file_error: Problem | None = None
    columns: dict[str, int] = field(default_factory=dict)  # column key -> position


# --- Normalising cells ---------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as trimmed text; 1201.0 from Excel becomes "1201", runs of spaces become one."""
    if type(value) is str:
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return " ".join(str(value).split())


_AREA_SUFFIX = re.compile(r"(m2|m²|㎡|平方米|平方|平米|sqm)$", re.IGNORECASE)
AREA_MAX = Decimal("9999999.99")


def _area(value: Any) -> tuple[Decimal | None, Problem | None]:
    if value is None or value == "":
        return None, None
    if type(value) is str:
        return _area_text(value)
    return _area_value(value)


@lru_cache(maxsize=65536)
def _area_text(value: str) -> tuple[Decimal | None, Problem | None]:
    # Rosters repeat a handful of floor plans; each spelling of an area is parsed once.
    return _area_value(value)


def _area_value(value: Any) -> tuple[Decimal | None, Problem | None]:
    if isinstance(value, bool):
        return None, Problem(E_AREA, {"value": _text(value)})
    if isinstance(value, int | float):
        raw = repr(value) if isinstance(value, float) else str(value)
    else:
        raw = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
        raw = _AREA_SUFFIX.sub("", raw)
    if not raw:
        return None, None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None, Problem(E_AREA, {"value": _text(value)[:40]})
    if not number.is_finite():
        return None, Problem(E_AREA, {"value": _text(value)[:40]})
    if number < 0:
        return None, Problem(E_AREA_NEGATIVE)
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number > AREA_MAX:
        return None, Problem(E_AREA_LARGE, {"value": _text(value)[:40]})
    return number, None


_FLOOR_RE = re.compile(r"^[+-]?\d+$")


def _floor(value: Any) -> tuple[int | None, Problem | None]:
    if value is None or value == "":
        return None, None
    if type(value) is str:
        return _floor_text(value)
    return _floor_value(value)


@lru_cache(maxsize=4096)
def _floor_text(value: str) -> tuple[int | None, Problem | None]:
    return _floor_value(value)


def _floor_value(value: Any) -> tuple[int | None, Problem | None]:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raw = (
            unicodedata.normalize("NFKC", _text(value))
            .removesuffix("层")
            .removesuffix("層")
            .removesuffix("F")
        )
        if not raw:
            return None, None
        if not _FLOOR_RE.match(raw):
            return None, Problem(E_FLOOR, {"value": _text(value)[:40]})
        number = int(raw)
    if not -32768 <= number <= 32767:
        return None, Problem(E_FLOOR, {"value": _text(value)[:40]})
    return number, None


def _choice(kind: str, value: Any, code: str) -> tuple[Any, Problem | None]:
    if kind == "occupied" and isinstance(value, bool):
        return value, None
    text = _text(value)
    if not text:
        return None, None
    found = lookup_value(kind, text)
    if found is None:
        return None, Problem(code, {"value": text[:40]})
    return found, None


# --- Reading files -------------------------------------------------------------------------


def read_table(source: bytes | IO[bytes] | Path | str, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    """(spreadsheet row number, cells) for every row of the first sheet or of the CSV file."""
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(source)
    return _read_csv(source)


def _as_bytes(source: bytes | IO[bytes] | Path | str) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, Path | str):
        return Path(source).read_bytes()
    return source.read()


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes); else GB18030, which Chinese Excel saves as "CSV"."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(source: bytes | IO[bytes] | Path | str) -> Iterator[tuple[int, Sequence[Any]]]:
    text = decode_csv(_as_bytes(source))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # csv.reader counts physical lines in line_num; a cell with a line break spans two, so we
    # count records, which is what a spreadsheet program shows as the row number.
    yield from enumerate(reader, start=1)


def _read_xlsx(source: bytes | IO[bytes] | Path | str) -> Iterator[tuple[int, Sequence[Any]]]:
    # Imported here: openpyxl takes a while to load and only .xlsx rosters need it.
    import openpyxl

    handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        book.close()


# --- Parsing -------------------------------------------------------------------------------


def _find_header(cells: Sequence[Any]) -> dict[str, int]:
    mapping = header_map()
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = mapping.get(norm_header(cell))
        if key is not None and key not in columns:
            columns[key] = position
    return columns


class UnreadableFile(Exception):
    """The upload is not a spreadsheet we can read (damaged, renamed, password-protected …)."""


def _guarded(table: Iterator[tuple[int, Sequence[Any]]]) -> Iterator[tuple[int, Sequence[Any]]]:
    # Only failures of the reader become "unreadable": a bug in our own checks must still surface.
    try:
        yield from table
    except (FileNotFoundError, PermissionError):
        raise  # our storage, not the user's file
    except Exception as exc:  # openpyxl, zipfile, csv and codecs each raise their own kinds
        raise UnreadableFile(str(exc)) from exc


def parse_file(source: bytes | IO[bytes] | Path | str, filename: str) -> ParseResult:
    try:
        return parse_table(_guarded(read_table(source, filename)))
    except UnreadableFile:
        return ParseResult(file_error=Problem(E_UNREADABLE))


def parse_table(table: Iterable[tuple[int, Sequence[Any]]]) -> ParseResult:
    result = ParseResult()
    rows_iter = iter(table)
    best: dict[str, int] = {}
    for number, cells in rows_iter:
        columns = _find_header(cells)
        if all(k in columns for k in REQUIRED):
            result.columns = columns
            break
        if len(columns) > len(best):
            best = columns
        if number >= HEADER_SEARCH_ROWS:
            break
    if not result.columns:
        missing = [k for k in REQUIRED if k not in best] or list(REQUIRED)
        result.file_error = Problem(E_NO_HEADER, {"columns": missing})
        return result

    checker = _CrossRowChecker()
    width = max(result.columns.values()) + 1
    positions = [(key, result.columns.get(key)) for key in (c.key for c in COLUMNS)]
    for number, cells in rows_iter:
        if not any(c is not None and str(c).strip() for c in cells[:width]):
            continue  # blank lines are skipped but still counted in the row numbers
        result.total_rows += 1
        values = {
            key: (cells[pos] if pos is not None and pos < len(cells) else None) for key, pos in positions
        }
        row, problems = _check_row(number, values)
        if row is not None and not problems:
            problems = checker.check(row)
        if problems or row is None:
            result.errors.append(RowError(number, problems))
        else:
            result.rows.append(row)
    if result.total_rows == 0:
        result.file_error = Problem(E_EMPTY)
    return result


def _check_row(number: int, values: dict[str, Any]) -> tuple[RosterRow | None, list[Problem]]:
    problems: list[Problem] = []
    estate = _text(values["estate"])
    building = _text(values["building"])
    unit = _text(values["unit"])
    customer = _text(values["customer"])
    email = _text(values["email"])
    if not estate:
        problems.append(Problem(E_ESTATE_MISSING))
    if not building:
        problems.append(Problem(E_BUILDING_MISSING))
    if not unit:
        problems.append(Problem(E_UNIT_MISSING))
    for key, text in (
        ("estate", estate),
        ("building", building),
        ("unit", unit),
        ("customer", customer),
        ("email", email),
    ):
        limit = COLUMN_BY_KEY[key].max_length
        if limit and len(text) > limit:
            problems.append(Problem(E_TOO_LONG, {"column": key, "max": limit}))

    estate_kind, problem = _choice("estate", values["estate_kind"], E_ESTATE_KIND)
    problems += [problem] if problem else []
    floor, problem = _floor(values["floor"])
    problems += [problem] if problem else []
    area, problem = _area(values["area"])
    problems += [problem] if problem else []
    unit_kind, problem = _choice("unit", values["unit_kind"], E_UNIT_KIND)
    problems += [problem] if problem else []
    occupied, problem = _choice("occupied", values["occupied"], E_OCCUPIED)
    problems += [problem] if problem else []
    customer_type, problem = _choice("customer", values["customer_type"], E_CUSTOMER_TYPE)
    problems += [problem] if problem else []

    phone_text = _text(values["phone"])
    phone = ""
    if phone_text:
        if crypto.is_valid_phone(phone_text):
            phone = crypto.normalise_phone(phone_text)
        else:
            problems.append(Problem(E_PHONE))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(Problem(E_EMAIL))
    if not customer and (phone_text or email or customer_type):
        problems.append(Problem(E_CUSTOMER_NAME))
    if problems:
        return None, problems
    return (
        RosterRow(
            row=number,
            estate=estate,
            estate_kind=estate_kind,
            building=building,
            unit=unit,
            floor=floor,
            area=area,
            unit_kind=unit_kind,
            occupied=occupied,
            customer=customer,
            customer_type=customer_type,
            phone=phone,
            email=email,
        ),
        [],
    )


_UNIT_FIELDS = ("floor", "area", "unit_kind", "occupied")


class _CrossRowChecker:
    """What a row says must agree with the rows above it; the first row to say something wins.

    A blank cell agrees with anything, so the second customer of a unit need not repeat
    the unit's area.
    """

    def __init__(self) -> None:
        self.estate_kind: dict[str, tuple[str, int]] = {}
        self.units: dict[tuple[str, str, str], dict[str, tuple[Any, int]]] = {}
        self.phones: dict[tuple[str, str], tuple[str, int]] = {}
        self.emails: dict[tuple[Any, ...], tuple[str, int]] = {}
        self.links: dict[tuple[Any, ...], tuple[str, int]] = {}

    def check(self, row: RosterRow) -> list[Problem]:
        problems: list[Problem] = []
        if row.estate_kind is not None:
            seen = self.estate_kind.get(row.estate)
            if seen is not None and seen[0] != row.estate_kind:
                problems.append(Problem(E_ESTATE_KIND_CONFLICT, {"other": seen[1]}))
        unit = self.units.get(row.unit_key, {})
        for name in _UNIT_FIELDS:
            value = getattr(row, name)
            if value is not None and name in unit and unit[name][0] != value:
                problems.append(
                    Problem(
                        E_UNIT_CONFLICT,
                        {"unit": f"{row.building}-{row.unit}", "other": unit[name][1], "column": name},
                    )
                )
        identity = row.customer_identity
        if identity is not None:
            if row.phone:
                seen = self.phones.get((row.estate, row.phone))
                if seen is not None and seen[0] != row.customer:
                    problems.append(Problem(E_PHONE_CONFLICT, {"other": seen[1]}))
            if row.email:
                seen = self.emails.get(identity)
                if seen is not None and seen[0] != row.email:
                    problems.append(Problem(E_EMAIL_CONFLICT, {"other": seen[1]}))
            if row.customer_type is not None:
                seen = self.links.get((row.unit_key, identity))
                if seen is not None and seen[0] != row.customer_type:
                    problems.append(Problem(E_TYPE_CONFLICT, {"other": seen[1]}))
        if problems:
            return problems

        # The row is good: remember what it said.
        if row.estate_kind is not None:
            self.estate_kind.setdefault(row.estate, (row.estate_kind, row.row))
        unit = self.units.setdefault(row.unit_key, {})
        for name in _UNIT_FIELDS:
            value = getattr(row, name)
            if value is not None:
                unit.setdefault(name, (value, row.row))
        if identity is not None:
            if row.phone:
                self.phones.setdefault((row.estate, row.phone), (row.customer, row.row))
            if row.email:
                self.emails.setdefault(identity, (row.email, row.row))
            if row.customer_type is not None:
                self.links.setdefault((row.unit_key, identity), (row.customer_type, row.row))
        return []
