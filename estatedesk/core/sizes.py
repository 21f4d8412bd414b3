"""File sizes as people read them: "10 MB", not "10.0 MB" (issue 12).

Django's ``filesizeformat`` always writes one decimal ("10.0 MB"); a limit of ten megabytes
reads "10 MB" in every language. The unit and the decimal separator stay Django's own,
translated and localized; only a decimal that is zero is dropped ("2.5 MB" stays).
"""

from __future__ import annotations

import re

from django.template.defaultfilters import filesizeformat
from django.utils.formats import get_format


def file_size(size: int) -> str:
    """``10 * 1024 * 1024`` → "10 MB" (with a non-breaking space), ``2621440`` → "2.5 MB"."""
    text = str(filesizeformat(size))
    separator = re.escape(str(get_format("DECIMAL_SEPARATOR")))
    return re.sub(rf"(\d){separator}0(?!\d)", r"\1", text)
