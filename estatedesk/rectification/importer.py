"""Reading a spreadsheet of rectification items into ``ItemInput`` rows or row errors (SPEC R-1, R-2).

Pure: no database. The caller passes the report's estate as a look-up of its units
(``UnitIndex``: building name → unit number → unit) and the items already in the report
(so a file uploaded twice is not recorded twice); this module only reads cells.

One spreadsheet row is one item: 楼栋 (building), 房号 (unit number), 部位 (location),
类别 (category), 问题描述 (description), 来源 (source, optional: the report's when empty).
Building and unit both empty is an item of a public area ("3栋大堂" in the location).
Category and source are accepted by their label in any of the three languages, by their
code, or by a few words the trade uses ("墙面", "门窗", "水电"…). Headers are found the
same way, below a title line if there is one. A bad row is reported with its spreadsheet
row number (the header is row 1 when it is on top) and every reason found, kept as an
English msgid with parameters and translated when shown (``render``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from estatedesk.rectification.models.items import DESCRIPTION_LENGTH, LOCATION_LENGTH, Category, Source
from estatedesk.rectification.services.items import ItemInput

# A handover batch of a large estate is a few thousand items; more in one file is a mistake.
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# The header may sit below a title line ("翠湖花园交付验房问题清单"); look this far down for it.
HEADER_SEARCH_ROWS = 10

# --- Problems ---------------------------------------------------------------------------------

E_UNREADABLE = gettext_noop(
    "The file could not be read as an Excel workbook (.xlsx). Save it from Excel as .xlsx and upload it again."
)
E_TOO_BIG = gettext_noop("The file is larger than %(limit)s MB. Split it into smaller files.")
E_NO_HEADER = gettext_noop(
    "No header row was found. The first rows must name the columns: %(columns)s (download the template)."
)
E_EMPTY = gettext_noop("The file has a header row but no items under it.")
E_TOO_MANY = gettext_noop("The file has more than %(limit)s items. Split it into smaller files.")
E_BUILDING_ONLY = gettext_noop(
    "Give the unit number too, or leave both building and unit empty for a public area."
)
E_UNIT_ONLY = gettext_noop("Give the building of unit “%(unit)s”.")
E_UNKNOWN_BUILDING = gettext_noop("There is no building “%(building)s” in this estate.")
E_UNKNOWN_UNIT = gettext_noop("There is no unit %(unit)s in this estate.")
E_NO_LOCATION = gettext_noop("The location is empty: say where the defect is.")
E_NO_DESCRIPTION = gettext_noop("The description is empty: describe the defect.")
E_NO_CATEGORY = gettext_noop("The category is empty.")
E_UNKNOWN_CATEGORY = gettext_noop("“%(value)s” is not a category. Use one of: %(choices)s.")
E_UNKNOWN_SOURCE = gettext_noop("“%(value)s” is not a source. Use one of: %(choices)s.")
E_TOO_LONG = gettext_noop("%(column)s is too long: at most %(limit)s characters (now %(count)s).")
E_DUPLICATE = gettext_noop("The same item as row %(other)s.")
E_RECORDED = gettext_noop("This item is already in the report (%(number)s).")


@dataclass(frozen=True)
class Problem:
    code: str  # an English msgid above
    params: tuple[tuple[str, Any], ...] = ()

    def render(self) -> str:
        values = dict(self.params)
        if self.code == E_UNKNOWN_CATEGORY:
            values["choices"] = _choice_list(Category)
        elif self.code == E_UNKNOWN_SOURCE:
            values["choices"] = _choice_list(Source)
        elif self.code == E_TOO_LONG:
            values["column"] = gettext(COLUMN_BY_KEY[values["column"]].label)
        elif self.code == E_NO_HEADER:
            values["columns"] = list_separator().join(gettext(c.label) for c in COLUMNS if c.required)
        text = gettext(self.code)
        return text % values if values else text


def problem(code: str, **params: Any) -> Problem:
    return Problem(code, tuple(sorted(params.items())))


def list_separator() -> str:
    return "、" if (translation.get_language() or "").startswith("zh") else ", "


def _choice_list(choices: Any) -> str:
    return list_separator().join(str(c.label) for c in choices)


# --- Columns ------------------------------------------------------------------------------------


def _words(spellings: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in spellings.split("|") if w.strip())


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # English msgid: the template's header in the user's language
    aliases: tuple[str, ...]
    required: bool = False
    max_length: int = 0


COLUMNS: tuple[Column, ...] = (
    Column(
        "building",
        gettext_noop("Building"),
        _words("building|block|tower|楼栋|樓棟|楼号|樓號|栋号|棟號|楼宇|樓宇"),
    ),
    Column(
        "unit",
        gettext_noop("Unit number"),
        _words(
            "unit|unit number|unit no|room|room number|flat|房号|房號|户号|戶號|室号|室號|单元|單元|门牌号|門牌號"
        ),
    ),
    Column(
        "location",
        gettext_noop("Location"),
        _words("location|part|room or part|place|部位|位置|房间|房間|问题部位|問題部位|地点|地點"),
        required=True,
        max_length=LOCATION_LENGTH,
    ),
    Column(
        "category",
        gettext_noop("Category"),
        _words("category|type|kind|类别|類別|类型|類型|问题类别|問題類別|问题类型|問題類型|专业|專業"),
        required=True,
    ),
    Column(
        "description",
        gettext_noop("Defect description"),
        _words(
            "description|defect|problem|issue|问题描述|問題描述|描述|问题|問題|缺陷|缺陷描述|整改内容|整改內容"
        ),
        required=True,
        max_length=DESCRIPTION_LENGTH,
    ),
    Column(
        "source",
        gettext_noop("Source"),
        _words("source|found by|来源|來源|问题来源|問題來源|发现部门|發現部門"),
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}

# Words the trade writes for a category or source besides the labels (Simplified and Traditional).
CATEGORY_WORDS: dict[str, str] = {
    Category.WALLS: "墙面|牆面|地面|天花|墙地面|牆地面|天花板|墙|牆|walls|wall|floor|ceiling",
    Category.DOORS_WINDOWS: "门窗|門窗|门|門|窗|窗户|窗戶|doors|windows|door|window",
    Category.PLUMBING: "给排水|給排水|水管|排水|下水|plumbing|drainage",
    Category.ELECTRICAL: "电气|電氣|强电|強電|弱电|弱電|电|電|水电|水電|electric",
    Category.WATERPROOFING: "防水|渗水|滲水|渗漏|滲漏|漏水|leak|leaks",
    Category.FITTINGS: "设备|設備|洁具|潔具|五金|橱柜|櫥櫃|fittings|fixtures",
    Category.PUBLIC_AREAS: "公区|公區|公共区域|公共區域|公共部位|public",
    Category.OTHER: "其他|其它|other",
}
SOURCE_WORDS: dict[str, str] = {
    Source.HANDOVER: "验房|驗房|交付验房|交付驗房|交房|交付|handover|inspection",
    Source.ENGINEERING: "工程|工程部|engineering",
    Source.SECURITY: "秩序|秩序维护部|秩序維護部|保安|安保|security",
    Source.CLEANING: "保洁|保潔|环境|環境|清洁|清潔|cleaning",
    Source.SALES: "销售|銷售|营销|營銷|案场|案場|sales",
    Source.OTHER: "其他|其它|other",
}

_BRACKETS = re.compile(r"[（(\[【].*?[）)\]】]")
_PUNCTUATION = re.compile(r"[\s\-_/\\.,，、:：;；*＊]+")


def _norm(text: Any) -> str:
    """For matching headers and choice words: width, case, brackets and punctuation do not count."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    value = _BRACKETS.sub("", value)
    return _PUNCTUATION.sub("", value)


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@lru_cache(maxsize=8)
def _header_map(language: str) -> dict[str, str]:
    # ``language`` is part of the key only so that the cache is per active language.
    mapping: dict[str, str] = {}
    for column in COLUMNS:
        for word in column.aliases:
            mapping.setdefault(_norm(word), column.key)
    for code in _languages():
        with translation.override(code):
            for column in COLUMNS:
                mapping.setdefault(_norm(gettext(column.label)), column.key)
    return mapping


@lru_cache(maxsize=8)
def _value_map(kind: str, language: str) -> dict[str, str]:
    choices, words = (Category, CATEGORY_WORDS) if kind == "category" else (Source, SOURCE_WORDS)
    mapping: dict[str, str] = {}
    for choice in choices:
        mapping.setdefault(_norm(choice.value), choice.value)
    # Labels first (in every language), then the trade's words: a label always wins.
    for code in _languages():
        with translation.override(code):
            for choice in choices:
                mapping.setdefault(_norm(str(choice.label)), choice.value)
    for value, spellings in words.items():
        for word in _words(spellings):
            mapping.setdefault(_norm(word), value)
    return mapping


def lookup(kind: str, text: str) -> str | None:
    """The code of a category or source written as its code, a label in any language or a trade word."""
    return _value_map(kind, translation.get_language() or "").get(_norm(text))


# --- Units --------------------------------------------------------------------------------------

# Building words that differ between the scripts or are left out ("3" for "3栋").
_BUILDING_SUFFIX = re.compile(r"(号楼|號樓|栋|棟|幢|座|楼|樓|block|tower|bldg)$")


def building_key(name: Any) -> str:
    value = _norm(name)
    for simplified, traditional in (("栋", "棟"), ("号", "號"), ("楼", "樓")):
        value = value.replace(traditional, simplified)
    return value


def building_base(name: Any) -> str:
    return _BUILDING_SUFFIX.sub("", building_key(name)) or building_key(name)


def unit_key(number: Any) -> str:
    return _norm(number)


@dataclass
class UnitIndex:
    """The report's estate as the importer sees it: building → unit number → unit (any object).

    Built by the caller (``services.imports.unit_index``) from the estate's units."""

    buildings: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # building key → its name as written
    bases: dict[str, list[str]] = field(default_factory=dict)  # "3" → ["3栋"] (keys)

    def add(self, building: str, number: str, unit: Any) -> None:
        key = building_key(building)
        if key not in self.buildings:
            self.buildings[key] = {}
            self.names[key] = building
            self.bases.setdefault(building_base(building), []).append(key)
        self.buildings[key][unit_key(number)] = unit

    def building(self, text: str) -> str | None:
        key = building_key(text)
        if key in self.buildings:
            return key
        found = self.bases.get(building_base(text), [])
        return found[0] if len(found) == 1 else None

    def find(self, building: str, number: str) -> Any:
        key = self.building(building)
        return None if key is None else self.buildings[key].get(unit_key(number))


# --- Rows ---------------------------------------------------------------------------------------


@dataclass
class GoodRow:
    row: int  # spreadsheet row number
    item: ItemInput
    cells: dict[str, str]


@dataclass
class BadRow:
    row: int
    problems: list[Problem]
    cells: dict[str, str]

    @property
    def reason(self) -> str:
        """Every reason, in the language active now."""
        separator = "" if (translation.get_language() or "").startswith("zh") else " "
        return separator.join(p.render() for p in self.problems)


@dataclass
class ParseResult:
    good: list[GoodRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    file_error: Problem | None = None

    @property
    def rows(self) -> int:
        return len(self.good) + len(self.bad)


def cell_text(value: Any) -> str:
    """A cell as trimmed text; 1201.0 from Excel becomes "1201", runs of spaces become one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in str(value))
    return " ".join(text.split())


def description_text(value: Any) -> str:
    """A description keeps its line breaks (a list of defects in one cell)."""
    if value is None:
        return ""
    text = cell_text(value) if not isinstance(value, str) else value
    lines = ["".join(ch for ch in line if ch.isprintable()).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


# --- Reading ------------------------------------------------------------------------------------


class UnreadableFile(Exception):
    """The upload is not a workbook openpyxl can read (not a zip, damaged, encrypted…)."""


def read_xlsx(data: bytes) -> Iterator[tuple[int, Sequence[Any]]]:
    """(spreadsheet row number, cells) of the first sheet, read-only; UnreadableFile when it cannot."""
    # Imported here: openpyxl takes a while to load and only an upload needs it.
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, openpyxl and xml each raise their own kinds
        raise UnreadableFile(str(exc)) from exc
    try:
        if not book.worksheets:
            raise UnreadableFile("no sheet")
        rows = book.worksheets[0].iter_rows(values_only=True)
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet inside a good zip
                raise UnreadableFile(str(exc)) from exc
            number += 1
            yield number, cells
    finally:
        book.close()


def parse_file(
    data: bytes, units: UnitIndex, recorded: Mapping[tuple[Any, ...], str] | None = None
) -> ParseResult:
    if len(data) > MAX_BYTES:
        return ParseResult(file_error=problem(E_TOO_BIG, limit=MAX_BYTES // (1024 * 1024)))
    try:
        return parse_table(read_xlsx(data), units, recorded)
    except UnreadableFile:
        return ParseResult(file_error=problem(E_UNREADABLE))


def _find_header(cells: Sequence[Any]) -> dict[str, int]:
    mapping = _header_map(translation.get_language() or "")
    columns: dict[str, int] = {}
    for position, cell in enumerate(cells):
        key = mapping.get(_norm(cell)) if isinstance(cell, str) else None
        if key is not None and key not in columns:
            columns[key] = position
    return columns


def parse_table(
    table: Iterable[tuple[int, Sequence[Any]]],
    units: UnitIndex,
    recorded: Mapping[tuple[Any, ...], str] | None = None,
) -> ParseResult:
    """Every row of ``table`` checked; ``recorded`` maps ``item_key`` of items already in the report to their numbers."""
    result = ParseResult()
    rows = iter(table)
    columns: dict[str, int] = {}
    for number, cells in rows:
        found = _find_header(cells)
        if all(c.key in found for c in COLUMNS if c.required):
            columns = found
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if not columns:
        result.file_error = problem(E_NO_HEADER)
        return result
    seen: dict[tuple[Any, ...], int] = {}
    recorded = recorded or {}
    for number, cells in rows:
        values = {key: (cells[pos] if pos < len(cells) else None) for key, pos in columns.items()}
        if not any(cell_text(v) for v in values.values()):
            continue  # blank lines are skipped but still counted in the row numbers
        if result.rows >= MAX_ROWS:
            return ParseResult(file_error=problem(E_TOO_MANY, limit=MAX_ROWS))
        _check_row(result, number, values, units, seen, recorded)
    if not result.rows:
        result.file_error = problem(E_EMPTY)
    return result


def item_key(unit: Any, location: str, description: str) -> tuple[Any, ...]:
    """What makes two items the same: the unit, and the location and description as typed."""
    return (getattr(unit, "pk", unit), _norm(location), _norm(description))


def _check_row(
    result: ParseResult,
    number: int,
    values: dict[str, Any],
    units: UnitIndex,
    seen: dict[tuple[Any, ...], int],
    recorded: Mapping[tuple[Any, ...], str],
) -> None:
    cells = {c.key: cell_text(values.get(c.key)) for c in COLUMNS}
    cells["description"] = description_text(values.get("description"))
    problems: list[Problem] = []
    unit = None
    building, number_text = cells["building"], cells["unit"]
    if building and not number_text:
        problems.append(problem(E_BUILDING_ONLY))
    elif number_text and not building:
        problems.append(problem(E_UNIT_ONLY, unit=number_text[:40]))
    elif building:
        if units.building(building) is None:
            problems.append(problem(E_UNKNOWN_BUILDING, building=building[:40]))
        else:
            unit = units.find(building, number_text)
            if unit is None:
                problems.append(problem(E_UNKNOWN_UNIT, unit=f"{building}-{number_text}"[:60]))
    if not cells["location"]:
        problems.append(problem(E_NO_LOCATION))
    if not cells["description"]:
        problems.append(problem(E_NO_DESCRIPTION))
    for key in ("location", "description"):
        limit = COLUMN_BY_KEY[key].max_length
        if len(cells[key]) > limit:
            problems.append(problem(E_TOO_LONG, column=key, limit=limit, count=len(cells[key])))
    category = lookup("category", cells["category"]) if cells["category"] else None
    if not cells["category"]:
        problems.append(problem(E_NO_CATEGORY))
    elif category is None:
        problems.append(problem(E_UNKNOWN_CATEGORY, value=cells["category"][:40]))
    source = lookup("source", cells["source"]) if cells["source"] else ""
    if source is None:
        problems.append(problem(E_UNKNOWN_SOURCE, value=cells["source"][:40]))
    if not problems:
        same = item_key(unit, cells["location"], cells["description"])
        if same in recorded:
            problems.append(problem(E_RECORDED, number=recorded[same]))
        elif same in seen:
            problems.append(problem(E_DUPLICATE, other=seen[same]))
        else:
            seen[same] = number
    if problems:
        result.bad.append(BadRow(number, problems, cells))
        return
    item = ItemInput(
        location=cells["location"],
        description=cells["description"],
        category=category or "",
        unit=unit,
        source=source or "",
    )
    result.good.append(GoodRow(number, item, cells))


# --- The template -------------------------------------------------------------------------------


def template_headers() -> list[str]:
    """The columns' headers in the active language."""
    return [gettext(c.label) for c in COLUMNS]


def template_example(building: str = "", unit: str = "") -> list[str]:
    """One example row in the active language (a real unit of the estate when the caller has one)."""
    return [
        building or gettext("Block 3"),
        unit or "1201",
        gettext("Master bedroom"),
        str(Category.WALLS.label),
        gettext("Crack in the wall by the window, about 30 cm"),
        str(Source.HANDOVER.label),
    ]
