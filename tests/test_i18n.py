"""The Simplified and Traditional Chinese catalogues are complete, compiled and used (SPEC P-3).

English is the source language; Simplified Chinese is the default. The catalogue checks need
polib (the "i18n" extra) and are skipped with a reason without it.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import tokenize
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LANGUAGES = ("zh_Hans", "zh_Hant")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_]\w*\}")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def _catalogue(language: str):
    polib = pytest.importorskip("polib", reason="polib is not installed (pip install -e '.[i18n]')")
    path = _locale_dir() / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"{path} is missing: run scripts/i18n.py"
    return polib.pofile(str(path))


def _entries(language: str):
    return [e for e in _catalogue(language) if not e.obsolete]


def _translations(entry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_keeps_its_placeholders(language):
    po = _catalogue(language)
    assert "nplurals=1; plural=0;" in po.metadata.get("Plural-Forms", "")
    entries = _entries(language)
    assert len(entries) > 100
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = _translations(entry)
        if not translations or not all(translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        for source in sources:
            for text in translations:
                if _placeholders(source) != _placeholders(text):
                    problems.append(f"placeholders differ: {source!r} -> {text!r}")
    assert problems == []


# How many leading string arguments each marker takes: (context?, singular, plural?).
MARKERS = {
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "gettext_noop": ("msgid",),
    "pgettext": ("msgctxt", "msgid"),
    "pgettext_lazy": ("msgctxt", "msgid"),
    "ngettext": ("msgid", "msgid_plural"),
    "ngettext_lazy": ("msgid", "msgid_plural"),
    "npgettext": ("msgctxt", "msgid", "msgid_plural"),
    "npgettext_lazy": ("msgctxt", "msgid", "msgid_plural"),
}
Message = tuple[str | None, str, str | None]  # (context, singular, plural)


def _message(marker: str, args: list[str]) -> Message | None:
    roles = MARKERS[marker]
    if len(args) < len(roles):
        return None
    found = dict(zip(roles, args, strict=False))
    return (found.get("msgctxt"), found["msgid"], found.get("msgid_plural"))


def _marked_in_code() -> dict[Message, str]:
    """Every literal message the Python code marks, under whatever name it imported the marker
    (``_``, ``gettext_lazy``, ``translation.pgettext``), with the file that marks it."""
    found: dict[Message, str] = {}
    for path in (Path(settings.BASE_DIR)).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.asname or alias.name: alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name):
                marker = names.get(node.func.id)
            elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                marker = node.func.attr if node.func.value.id == "translation" else None
            else:
                marker = None
            if marker not in MARKERS:
                continue
            args = []
            for arg in node.args:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    break
                args.append(arg.value)
            message = _message(marker, args)
            if message is not None:
                found.setdefault(message, str(path.relative_to(settings.BASE_DIR)))
    return found


def _marked_in_templates() -> dict[Message, str]:
    """Every message the templates mark ({% translate %}, {% blocktranslate %} with plural and
    context, ``_("…")`` in tags), read the way ``makemessages`` reads them: Django's
    ``templatize`` turns each template into gettext calls, which Python's tokenizer then reads.
    No gettext binaries are needed."""
    from django.utils.translation.template import templatize

    found: dict[Message, str] = {}
    for path in sorted(Path(settings.BASE_DIR).rglob("*.html")):
        if "static" in path.parts:
            continue
        # Leading blanks are the template's indentation, not Python's.
        code = "\n".join(line.lstrip() for line in templatize(path.read_text(encoding="utf-8")).splitlines())
        skip = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type not in skip]
        for i, token in enumerate(tokens[:-1]):
            marker = {"_": "gettext"}.get(token.string, token.string)
            if token.type != tokenize.NAME or marker not in MARKERS or tokens[i + 1].string != "(":
                continue
            args, j = [], i + 2
            while tokens[j].string != ")":
                if tokens[j].type == tokenize.STRING:
                    args.append(ast.literal_eval(tokens[j].string))
                j += 1
            message = _message(marker, args)
            if message is not None:
                found.setdefault(message, str(path.relative_to(settings.BASE_DIR)))
    return found


def _untranslated(language: str, marked: dict[Message, str]) -> list[str]:
    translated = {
        (e.msgctxt, e.msgid, e.msgid_plural or None)
        for e in _entries(language)
        if "fuzzy" not in e.flags and all(_translations(e))
    }
    return sorted(f"{where}: {message!r}" for message, where in marked.items() if message not in translated)


@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_marked_in_the_code_is_translated(language):
    # A marker imported under a name the extractor does not know (gettext_lazy as _l) left
    # timeline events and step titles in English on Chinese pages.
    marked = _marked_in_code()
    assert len(marked) > 500
    assert _untranslated(language, marked) == []


@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_marked_in_the_templates_is_translated(language):
    marked = _marked_in_templates()
    assert len(marked) > 500
    assert any(plural for _ctxt, _id, plural in marked)  # blocktranslate … plural is read
    assert _untranslated(language, marked) == []


@pytest.mark.req("P-3")
def test_the_template_reader_finds_every_kind_of_marker(tmp_path, settings):
    """The reader above must see what makemessages sees, or the test above could not fail."""
    (tmp_path / "t.html").write_text(
        '{% load i18n %}<p>{% translate "One" %}</p>'
        '{% translate "May" context "month" %}'
        "{% blocktranslate count n=items|length %}{{ n }} item{% plural %}{{ n }} items{% endblocktranslate %}"
        "{% blocktranslate trimmed with who=x %}\n  Signed by {{ who }}\n{% endblocktranslate %}"
        "{% include 'x.html' with label=_(\"Yes\") %}",
        encoding="utf-8",
    )
    settings.BASE_DIR = tmp_path
    assert set(_marked_in_templates()) == {
        (None, "One", None),
        ("month", "May", None),
        (None, "%(n)s item", "%(n)s items"),
        (None, "Signed by %(who)s", None),
        (None, "Yes", None),
    }


@pytest.mark.req("P-3")
def test_both_catalogues_have_the_same_messages():
    def keys(language):
        return {(e.msgctxt, e.msgid, e.msgid_plural) for e in _entries(language)}

    assert keys("zh_Hans") == keys("zh_Hant")


@pytest.mark.req("P-3")
def test_the_catalogues_are_written_in_their_own_script():
    opencc = pytest.importorskip("opencc", reason="opencc is not installed (pip install -e '.[i18n]')")
    to_traditional = opencc.OpenCC("s2t").convert
    to_simplified = opencc.OpenCC("t2s").convert
    simplified_left = [t for e in _entries("zh_Hant") for t in _translations(e) if to_traditional(t) != t]
    traditional_left = [t for e in _entries("zh_Hans") for t in _translations(e) if to_simplified(t) != t]
    assert simplified_left == []
    assert traditional_left == []


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "msgid", "expected"),
    [
        ("zh_Hans", "Search", "搜索"),
        ("zh_Hant", "Search", "搜尋"),
        ("zh_Hans", "Home", "首页"),
        ("zh_Hant", "Home", "首頁"),
        ("zh_Hans", "Units", "单元"),
        ("zh_Hant", "Units", "單元"),
        ("zh_Hans", "Complaint handler", "投诉处理人"),
        ("zh_Hant", "Complaint handler", "投訴處理人"),
        ("zh_Hant", "Sign in", "登入"),
        ("zh_Hant", "Save", "儲存"),
    ],
)
def test_key_terms(language, msgid, expected):
    by_id = {e.msgid: e for e in _entries(language)}
    assert expected in by_id[msgid].msgstr


@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogues_are_up_to_date(language):
    entries = _entries(language)
    mo = _locale_dir() / language / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), f"{mo} is missing: run scripts/i18n.py or manage.py compilemessages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        if entry.msgid_plural:
            found = (
                compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                if entry.msgctxt
                else (compiled.ngettext(entry.msgid, entry.msgid_plural, 1))
            )
            wanted = entry.msgstr_plural[0]
        else:
            found = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
            wanted = entry.msgstr
        if found != wanted:
            stale.append(entry.msgid)
    assert stale == [], "the .mo file is older than the .po file: run scripts/i18n.py"


def _title(response) -> str:
    assert response.status_code == 200
    match = TITLE.search(response.content.decode())
    assert match
    return match.group(1)


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "word", "html_lang"),
    [("zh-hans", "单元", "zh-hans"), ("zh-hant", "單元", "zh-hant"), ("en", "Units", "en")],
)
def test_pages_render_in_the_chosen_language(world, language, word, html_lang):
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("org:unit_list"))
    assert word in _title(response)
    assert f'<html lang="{html_lang}">' in response.content.decode()


@pytest.mark.req("P-3")
def test_the_default_language_is_simplified_chinese(world):
    client = world.client("handler_a")
    response = client.get(reverse("org:unit_list"))  # no cookie, no Accept-Language
    title = _title(response)
    assert "单元" in title and "Units" not in title
    assert "搜索" in response.content.decode()


CJK = r"[\u3400-\u9fff\u3000-\u303f\uff01-\uffef]"
# An ASCII colon, comma, semicolon, question or exclamation mark or parenthesis touching a
# Chinese character (a blank between allowed for): "回复期限: %(due)s", "%(a)s, 其他".
# Placeholders, times (08:30) and URLs are not next to Chinese characters and pass.
ASCII_PUNCTUATION = re.compile(rf"(?<={CJK})\s?[:,;?!()]|[:,;?!(]\s?(?={CJK})")


@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", LANGUAGES)
def test_chinese_uses_full_width_punctuation(language):
    wrong = [t for e in _entries(language) for t in _translations(e) if ASCII_PUNCTUATION.search(t)]
    assert wrong == []
    assert ASCII_PUNCTUATION.search("回复期限: 2026-06-01") and ASCII_PUNCTUATION.search("%(a)s, 其他")
    assert not ASCII_PUNCTUATION.search("办公时段 08:30-12:00,13:30-17:30（%(name)s）")


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "msgctxt", "msgid", "expected"),
    [
        ("zh_Hans", None, "Person in charge", "负责人"),
        ("zh_Hant", None, "Person in charge", "負責人"),
        ("zh_Hans", "fishbone bone", "Method", "法"),
        ("zh_Hant", "fishbone bone", "Method", "法"),
        ("zh_Hans", None, "Occupied", "已入住"),
        ("zh_Hans", None, "Manner", "回复方式"),
        ("zh_Hant", None, "Manner", "回覆方式"),
        ("zh_Hans", "person", "Name", "姓名"),
        ("zh_Hans", "label: value", ": ", "："),
    ],
)
def test_the_industrys_words(language, msgctxt, msgid, expected):
    by_key = {(e.msgctxt, e.msgid): e.msgstr for e in _entries(language)}
    assert by_key[(msgctxt, msgid)] == expected


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "2026年6月"), ("zh-hant", "2026年6月"), ("en", "2026-06")]
)
def test_months_read_the_readers_way(language, expected):
    from django.utils import translation

    from estatedesk.core.i18n import join_list, month_label

    with translation.override(language):
        assert month_label(2026, 6) == expected
        assert join_list(["甲", "乙"]) == ("甲, 乙" if language == "en" else "甲、乙")
