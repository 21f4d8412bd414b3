"""The person's copy of their data (SPEC D-3): one readable file, made for them and never stored.

A cover (the company, what the file is, for whom — masked as on the request —, the request's
number, when and by whom it was made), then one chapter per part of EstateDesk that holds
personal data, each section a list of entries written as label: value. The HTML carries its
own styles, so the same document is the PDF (WeasyPrint with the system's CJK fonts, through
``core.pdf``) and, where PDFs cannot be made on this machine, a self-contained HTML file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from estatedesk.core import pdf as printing
from estatedesk.core.actors import Actor, name_of
from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import is_traditional
from estatedesk.core.models import CompanySettings

if TYPE_CHECKING:
    from estatedesk.records.models import DataRequest
    from estatedesk.records.subjects import Section, Source, Subject

log = logging.getLogger(__name__)

TEMPLATE = "records/requests/copy.html"
# No link in the copy leads anywhere: its styles are inline and it loads nothing.
BASE_URL = "http://estatedesk.invalid/"


@dataclass(frozen=True)
class Chapter:
    title: str
    sections: list[tuple[str, list[list[tuple[str, str]]]]]


def chapters_for(found: list[tuple[Source, list[Section]]]) -> list[Chapter]:
    """Every text in the reader's language, now, so the template prints plain strings."""
    return [
        Chapter(
            title=str(source.label),
            sections=[
                (
                    str(section.title),
                    [[(str(label), str(value)) for label, value in entry] for entry in section.entries],
                )
                for section in sections
            ],
        )
        for source, sections in found
    ]


def copy_html(
    *, request: DataRequest, subject: Subject, chapters: list[tuple[Source, list[Section]]], actor: Actor
) -> str:
    with timezone.override(company_zone()):
        return render_to_string(
            TEMPLATE,
            {
                "company": CompanySettings.load().name,
                "request": request,
                "label": request.subject_label,
                "units": len(subject.unit_ids),
                "made_at": timezone.localtime(request.handled_at),
                "made_by": name_of(actor),
                "chapters": chapters_for(chapters),
                "language": get_language(),
            },
        )


def build_copy(
    *, request: DataRequest, subject: Subject, chapters: list[tuple[Source, list[Section]]], actor: Actor
) -> tuple[bytes, str]:
    """The file's bytes and its extension: "pdf", or "html" where PDFs cannot be made."""
    html = copy_html(request=request, subject=subject, chapters=chapters, actor=actor)
    if printing.pdf_available():
        try:
            data = printing.render_pdf(
                html,
                base_url=BASE_URL,
                footer=request.number,
                # Translators: the footer of every printed page
                page_template=_("Page %(page)s of %(pages)s"),
                traditional=is_traditional(),
            )
        except (printing.PdfUnavailable, OSError):
            log.warning("The copy for request %s was made as HTML: no PDF", request.number, exc_info=True)
        else:
            return data, "pdf"
    return html.encode("utf-8"), "html"
