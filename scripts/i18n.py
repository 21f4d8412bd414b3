"""Refresh the message catalogues.

    .venv/bin/python scripts/i18n.py            # extract, fill Traditional from Simplified, compile
    .venv/bin/python scripts/i18n.py --check    # fail if any message lacks a translation

Simplified Chinese is written by hand in estatedesk/locale/zh_Hans. Traditional Chinese
entries that are still empty are converted from the Simplified ones with OpenCC (s2t then t2tw:
character conversion with standard forms, no Taiwan phrasing) and can then be corrected by hand: an entry that
already has a translation is never overwritten. English is the source language.
Needs the "i18n" extra (polib, opencc) and GNU gettext.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "estatedesk" / "locale"


def extract() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "estatedesk.settings"}
    subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "zh_Hans",
            "-l",
            "zh_Hant",
            "--no-location",
            "--no-obsolete",
            "--ignore",
            "static/*",
        ],
        cwd=ROOT / "estatedesk",
        check=True,
        env=env,
    )


def fill_traditional() -> int:
    import opencc
    import polib

    # s2t converts characters; t2tw then picks the standard forms (為 rather than 爲). Wording
    # that differs (搜索 → 搜尋, 保存 → 儲存) still needs a hand correction afterwards.
    s2t, t2tw = opencc.OpenCC("s2t"), opencc.OpenCC("t2tw")

    def convert(text: str) -> str:
        return t2tw.convert(s2t.convert(text))

    simplified = {
        (e.msgctxt, e.msgid): e for e in polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    }
    traditional = polib.pofile(str(LOCALE / "zh_Hant/LC_MESSAGES/django.po"))
    filled = 0
    for entry in traditional:
        source = simplified.get((entry.msgctxt, entry.msgid))
        if source is None or "fuzzy" in source.flags:
            continue
        if entry.msgid_plural:
            if not any(entry.msgstr_plural.values()) and any(source.msgstr_plural.values()):
                entry.msgstr_plural = {k: convert(v) for k, v in source.msgstr_plural.items()}
                filled += 1
        elif not entry.msgstr and source.msgstr:
            entry.msgstr = convert(source.msgstr)
            filled += 1
        if "fuzzy" in entry.flags and entry.msgstr:
            entry.flags.remove("fuzzy")
    traditional.save()
    return filled


def missing() -> list[str]:
    import polib

    problems = []
    for lang in ("zh_Hans", "zh_Hant"):
        for entry in polib.pofile(str(LOCALE / lang / "LC_MESSAGES/django.po")):
            if entry.obsolete:
                continue
            done = any(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
            if not done or "fuzzy" in entry.flags:
                problems.append(f"{lang}: {entry.msgid!r}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if not args.check:
        extract()
        print(f"filled {fill_traditional()} Traditional Chinese entries from Simplified")
        subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), "compilemessages"], cwd=ROOT / "estatedesk", check=True
        )
    problems = missing()
    for p in problems:
        print("untranslated", p)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
