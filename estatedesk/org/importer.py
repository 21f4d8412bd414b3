"""Reading a roster file (.xlsx or .csv) into checked rows: pure, no database.

One spreadsheet row is one unit and at most one customer of it; several customers of a
unit are several rows. Every row is checked on its own (required cells, numbers, phone,
e-mail, known kinds) and against the rows above it (the same unit with different data,
the same phone for two different people). Bad rows are reported with their spreadsheet
row number (the header is row 1) and every reason found, so a user fixes a row once.

Reasons are kept as (English msgid, parameters) and translated when shown, so each reader
sees them in their own language; ``render`` does that.
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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from estatedesk.core import crypto

# --- Columns -----------------------------------------------------------------------------


def _words(spellings: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in spellings.split("|") if w.strip())


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English msgid: the template's header, translated into the user's language
    aliases: tuple[str, ...]
    max_length: int = 0


# Header spellings in English, Simplified and Traditional Chinese. Matching ignores case,
# spaces, punctuation and anything in brackets, so "面积（㎡）" and "Area (m2)" both match.
# The labels themselves, in every language, are added at run time, so a downloaded template
# always reads back whatever the translators chose.
COLUMNS: tuple[Column, ...] = (
    Column(
        "estate",
        gettext_noop("Estate"),
        _words(
            "estate|estate name|project|property|小区|小區|项目|項目|小区名称|小區名稱|项目名称|項目名稱"
            "|楼盘|樓盤|物业项目|物業項目"
        ),
        100,
    ),
    Column(
        "estate_kind",
        gettext_noop("Estate kind"),
        _words(
            "estate kind|estate type|project type|小区类型|小區類型|项目类型|項目類型|物业类型|物業類型"
            "|小区类别|小區類別|项目类别|項目類別"
        ),
    ),
    Column(
        "building",
        gettext_noop("Building"),
        _words("building|building name|block|tower|楼栋|樓棟|楼宇|樓宇|栋|棟|座|楼号|樓號|栋号|棟號"),
        50,
    ),
    Column(
        "unit",
        gettext_noop("Unit number"),
        _words(
            "unit|unit number|unit no|flat|room|room number|房号|房號|单元|單元|单元号|單元號|户号|戶號"
            "|室号|室號|房间号|房間號|门牌号|門牌號"
        ),
        30,
    ),
    Column("floor", gettext_noop("Floor"), _words("floor|storey|楼层|樓層|层|層|所在楼层|所在樓層")),
    Column(
        "area",
        gettext_noop("Area (m²)"),
        _words("area|area m2|floor area|面积|面積|建筑面积|建築面積|房屋面积|房屋面積"),
    ),
    Column(
        "unit_kind",
        gettext_noop("Unit kind"),
        _words("unit kind|unit type|单元类型|單元類型|房屋类型|房屋類型|用途|房屋用途|单元类别|單元類別"),
    ),
    Column(
        "occupied",
        gettext_noop("Occupied"),
        _words("occupied|occupancy|入住|是否入住|入住状态|入住狀態|已入住|入住情况|入住情況"),
    ),
    Column(
        "customer",
        gettext_noop("Customer name"),
        _words(
            "customer|customer name|name|业户|業戶|客户|客戶|客户名称|客戶名稱|客户姓名|客戶姓名|姓名"
            "|业户姓名|業戶姓名|业主姓名|業主姓名|顾客|顧客|顾客名称|顧客名稱|名称|名稱|业户名称|業戶名稱"
        ),
        100,
    ),
    Column(
        "customer_type",
        gettext_noop("Customer type"),
        _words(
            "customer type|customer kind|type|客户类型|客戶類型|业户类型|業戶類型|顾客类型|顧客類型|身份"
            "|类别|類別|客户类别|客戶類別|业户类别|業戶類別"
        ),
    ),
    Column(
        "phone",
        gettext_noop("Phone"),
        _words(
            "phone|telephone|mobile|phone number|tel|电话|電話|手机|手機|联系电话|聯繫電話|聯絡電話"
            "|手机号|手機號|手机号码|手機號碼|电话号码|電話號碼"
        ),
    ),
    Column(
        "email",
        gettext_noop("E-mail"),
        _words("e-mail|email|mail|e-mail address|邮箱|郵箱|电子邮件|電子郵件|电子邮箱|電子郵箱|邮件|郵件"),
        254,
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("estate", "building", "unit")
# The header may sit below a title line ("翠湖花园业户名册"); look this far down for it.
HEADER_SEARCH_ROWS = 10

# Value spellings. The models' choice labels, in every language, are added at run time.
ESTATE_KINDS = {
    "residential": _words(
        "residential|residence|residential compound|住宅|住宅小区|住宅小區|小区|小區|住宅区|住宅區"
    ),
    "office": _words("office|office building|写字楼|寫字樓|办公楼|辦公樓|商务楼|商務樓|商业|商業"),
}
UNIT_KINDS = {
    "flat": _words("flat|apartment|residence|residential|住宅|套房|公寓|住房"),
    "shop": _words("shop|store|retail|商铺|商鋪|铺位|鋪位|店铺|店鋪|商业|商業"),
    "office": _words("office|办公|辦公|办公室|辦公室|写字楼|寫字樓"),
    "other": _words("other|其他|其它"),
}
OCCUPIED = {
    True: _words("yes|y|true|1|是|已入住|入住|occupied|√|✓|有人"),
    False: _words("no|n|false|0|否|未入住|空置|vacant|empty|×|✗|空"),
}
CUSTOMER_TYPES = {
    "owner": _words("owner|业主|業主|产权人|產權人|房东|房東"),
    "tenant": _words("tenant|resident|租户|租戶|住户|住戶|用户|用戶|租客|承租人"),
    "office_tenant": _words(
        "office tenant|office_tenant|office tenant organisation|office tenant organization|organisation"
        "|organization|company|写字楼租户|寫字樓租戶|写字楼用户|寫字樓用戶|租户单位|租戶單位|单位|單位|公司|企业|企業"
    ),
}

# --- Reasons (English msgids, translated by the lead in the .po files) ---------------------

E_NO_HEADER = gettext_noop("No header row found: the file needs the columns %(columns)s.")
E_UNREADABLE = gettext_noop(
    "The file could not be read. Save it from Excel as .xlsx or .csv and upload it again."
)
E_EMPTY = gettext_noop("The file contains no rows to import.")
E_ESTATE_MISSING = gettext_noop("Estate name is missing.")
E_BUILDING_MISSING = gettext_noop("Building is missing.")
E_UNIT_MISSING = gettext_noop("Unit number is missing.")
E_TOO_LONG = gettext_noop("%(column)s is too long (at most %(max)s characters).")
E_ESTATE_KIND = gettext_noop("Unknown estate kind “%(value)s”: use residential or office.")
E_FLOOR = gettext_noop("Floor “%(value)s” is not a whole number.")
E_AREA = gettext_noop("Area “%(value)s” is not a number.")
E_AREA_NEGATIVE = gettext_noop("Area cannot be negative.")
E_AREA_LARGE = gettext_noop("Area “%(value)s” is too large.")
E_UNIT_KIND = gettext_noop("Unknown unit kind “%(value)s”: use flat, shop, office or other.")
E_OCCUPIED = gettext_noop("Unknown occupied value “%(value)s”: use yes or no.")
E_CUSTOMER_NAME = gettext_noop("Customer name is missing, but the row has other customer details.")
E_CUSTOMER_TYPE = gettext_noop("Unknown customer type “%(value)s”: use owner, tenant or office tenant.")
# Phone numbers and e-mail addresses are personal data: reasons never repeat them.
E_PHONE = gettext_noop("Phone number is not valid: it needs 7 to 15 digits.")
E_EMAIL = gettext_noop("E-mail address is not valid.")
E_UNIT_CONFLICT = gettext_noop("Unit %(unit)s is also in row %(other)s with a different %(column)s.")
E_ESTATE_KIND_CONFLICT = gettext_noop("Estate kind differs from row %(other)s for the same estate.")
E_PHONE_CONFLICT = gettext_noop("The same phone number is given for a different customer in row %(other)s.")
E_EMAIL_CONFLICT = gettext_noop("The same customer has a different e-mail address in row %(other)s.")
E_TYPE_CONFLICT = gettext_noop(
    "The same customer of this unit has a different customer type in row %(other)s."
)


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # the English msgid
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


def render(code: str, params: dict[str, Any] | None = None) -> str:
    """The reason in the active language; a "column" parameter is a column key, shown by its label."""
    params = dict(params or {})
    if "column" in params and params["column"] in COLUMN_BY_KEY:
        params["column"] = gettext(COLUMN_BY_KEY[params["column"]].label)
    if "columns" in params:
        params["columns"] = "、".join(
            gettext(COLUMN_BY_KEY[k].label) if k in COLUMN_BY_KEY else str(k) for k in params["columns"]
        )
    text = gettext(code)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):  # a translation with broken placeholders must not crash a page
        return code % params if params else code


def render_problems(problems: Iterable[dict[str, Any]]) -> str:
    return " ".join(render(p["code"], p.get("params")) for p in problems)


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

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_HEADER_JUNK = re.compile(r"[\s*_\-.:：/、]+")


def _norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).casefold()
    text = _BRACKETS.sub("", text)
    return _HEADER_JUNK.sub("", text)


def _norm_value(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


def _languages() -> list[str]:
    try:
        return [code for code, _name in settings.LANGUAGES]
    except Exception:  # settings not configured: the built-in spellings are enough
        return []


def _in_every_language(texts: Iterable[Any]) -> list[str]:
    """Each msgid (or lazy label) as written in every language the product speaks."""
    texts = list(texts)
    found = []
    for code in _languages():
        with translation.override(code):
            found += [gettext(t) if isinstance(t, str) else str(t) for t in texts]
    return found


@lru_cache(maxsize=1)
def _header_map() -> dict[str, str]:
    """Normalised header text -> column key, from our spellings and every translation of the labels."""
    mapping: dict[str, str] = {}
    for column in COLUMNS:
        for spelling in (column.label, *column.aliases, *_in_every_language([column.label])):
            mapping.setdefault(_norm_header(spelling), column.key)
    return mapping


def _choice_labels(kind: str) -> dict[str, tuple[str, ...]]:
    from estatedesk.org.models import CustomerKind, EstateKind, UnitKind

    choices: Any = {"estate": EstateKind, "unit": UnitKind, "customer": CustomerKind}[kind]
    return {member.value: tuple(_in_every_language([member.label])) for member in choices}


@lru_cache(maxsize=4)
def _value_map(kind: str) -> dict[Any, Any]:
    spellings: dict[Any, tuple[str, ...]]
    if kind == "occupied":
        spellings = {
            True: OCCUPIED[True] + tuple(_in_every_language(["Yes"])),
            False: OCCUPIED[False] + tuple(_in_every_language(["No"])),
        }
    else:
        base = {"estate": ESTATE_KINDS, "unit": UNIT_KINDS, "customer": CUSTOMER_TYPES}[kind]
        try:
            labels = _choice_labels(kind)
        except Exception:  # models not loadable (plain unit tests): built-in spellings only
            labels = {}
        spellings = {value: words + (value,) + labels.get(value, ()) for value, words in base.items()}
    mapping: dict[str, Any] = {}
    for value, words in spellings.items():
        for word in words:
            mapping.setdefault(_norm_value(word), value)
    return mapping


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
    found = _lookup(kind, text)
    if found is None:
        return None, Problem(code, {"value": text[:40]})
    return found, None


@lru_cache(maxsize=4096)
def _lookup(kind: str, text: str) -> Any:
    # A roster repeats the same few words in every row: normalise each spelling once.
    return _value_map(kind).get(_norm_value(text))


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
    mapping = _header_map()
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = mapping.get(_norm_header(cell))
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


# --- The template ----------------------------------------------------------------------------


def template_headers() -> list[str]:
    """Column headers in the active language."""
    return [gettext(c.label) for c in COLUMNS]


def template_example() -> list[Any]:
    """One example row, in the active language's words for the choices (which the importer accepts)."""
    from estatedesk.org.models import CustomerKind, EstateKind, UnitKind

    return [
        gettext("Green Lake Garden"),
        str(EstateKind.RESIDENTIAL.label),
        gettext("Block 3"),
        "1201",
        12,
        89.5,
        str(UnitKind.FLAT.label),
        gettext("Yes"),
        gettext("Wang Xiaoming"),
        str(CustomerKind.OWNER.label),
        "13800138000",
        "",
    ]
