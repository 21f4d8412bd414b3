"""The Simplified and Traditional Chinese catalogues are complete, compiled and used (SPEC P-3).

English is the source language; Simplified Chinese is the default. The catalogue checks need
polib (the "i18n" extra) and are skipped with a reason without it.
"""

from __future__ import annotations

import ast
import gettext
import re
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


SINGLE = {"gettext", "gettext_lazy", "gettext_noop"}


def _marked_in_code() -> set[str]:
    """Every literal message the Python code marks, under whatever name it imported the marker."""
    found: set[str] = set()
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
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and names.get(node.func.id) in SINGLE
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


@pytest.mark.req("P-3")
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_marked_in_the_code_is_in_the_catalogue(language):
    # A marker imported under a name the extractor does not know (gettext_lazy as _l) left
    # timeline events and step titles in English on Chinese pages.
    catalogue = {e.msgid for e in _entries(language)}

    assert sorted(_marked_in_code() - catalogue) == []


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
