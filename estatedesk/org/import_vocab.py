"""The words of the roster import: what it reads and what it says, in every language.

Column definitions and their header spellings, the spellings of the choice values (estate
kind, unit kind, occupied, customer type) in English, Simplified and Traditional Chinese,
and the recognising of both in a file, with every translation of the labels added at run
time. Also the reasons a row or file is rejected, kept as (English msgid, parameters) and
translated when shown (``render``), and the template's headers and example row.

Pure: no database; the models are imported only for their choice labels.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

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


# --- Recognising headers and values --------------------------------------------------------

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_HEADER_JUNK = re.compile(r"[\s*_\-.:：/、]+")


def norm_header(value: Any) -> str:
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
def header_map() -> dict[str, str]:
    """Normalised header text -> column key, from our spellings and every translation of the labels."""
    mapping: dict[str, str] = {}
    for column in COLUMNS:
        for spelling in (column.label, *column.aliases, *_in_every_language([column.label])):
            mapping.setdefault(norm_header(spelling), column.key)
    return mapping


def _choice_labels(kind: str) -> dict[str, tuple[str, ...]]:
    # Imported here: this module stays importable without the app registry (see the docstring).
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


@lru_cache(maxsize=4096)
def lookup_value(kind: str, text: str) -> Any:
    # A roster repeats the same few words in every row: normalise each spelling once.
    return _value_map(kind).get(_norm_value(text))


# --- The template ----------------------------------------------------------------------------


def template_headers() -> list[str]:
    """Column headers in the active language."""
    return [gettext(c.label) for c in COLUMNS]


def template_example() -> list[Any]:
    """One example row, in the active language's words for the choices (which the importer accepts)."""
    # Imported here: this module stays importable without the app registry (see the docstring).
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
