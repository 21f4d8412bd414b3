"""Text in server-drawn SVG pictures (flowcharts, the fishbone): the CJK font lists, and
measuring and wrapping text by an estimate (no font files are read). Pure."""

from __future__ import annotations

import unicodedata

FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans CJK TC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
FONT_FAMILY_TC = "'Noto Sans CJK TC', 'Noto Sans CJK SC', 'Source Han Sans TC', 'PingFang TC', 'Microsoft JhengHei', sans-serif"


def _char_width(ch: str, size: float) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return size
    if ch in "ilIj.,:;'|!":
        return size * 0.3
    if ch.isupper() or ch in "mwMW":
        return size * 0.72
    return size * 0.56


def text_width(text: str, size: float) -> float:
    return sum(_char_width(ch, size) for ch in text)


def _tokens(text: str) -> list[str]:
    """Words for Latin text (with their trailing space), single characters for CJK."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " ":
            tokens.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def wrap(text: str, max_width: float, size: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if line and text_width((line + token).rstrip(), size) > max_width:
            lines.append(line.rstrip())
            line = token.lstrip() if token.strip() else ""
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]
