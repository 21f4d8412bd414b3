"""Personal-data requests (SPEC D-3): find the customer, hand them their data, erase it.

``records`` knows neither the customers nor what they did: the customer finder and the
sources are registered by the apps that hold the data (``records.subjects``). This module
puts them together and keeps the record of every request:

- ``find`` searches through the finder, in the user's scope (phone numbers masked);
- ``export`` builds one readable file of everything the sources hold (``request_file``),
  records the request with the sections and their counts, and logs the access; the file
  itself is never stored;
- ``erase`` asks every source to erase in one transaction (the finder's own app, ``org``,
  last: the others find the person through its data), and records what went and what had
  to be kept, and why.

Administrators act; auditors read the requests but do not act. The request's record names
the person only masked, so an erasure leaves no name or phone of theirs behind.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor, user_of
from estatedesk.core.clock import now as clock_now
from estatedesk.core.crypto import normalise_phone
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from estatedesk.core.numbering import next_number
from estatedesk.records import subjects
from estatedesk.records.models import DataRequest, RequestKind
from estatedesk.records.request_file import build_copy
from estatedesk.records.services import log_personal_data_access
from estatedesk.records.subjects import Candidate, Kept, Section, Source, Subject

log = logging.getLogger(__name__)

# The app that registers the finder: the others find the person through its data, so it
# erases last.
FINDER_SOURCE = "org"
# How many customer records one request may cover (one person is rarely more than a few).
MAX_CUSTOMERS = 50
NUMBER_PREFIX = "PD"
ACCESS_FIELD = "all personal data"

_TYPED_PHONE = re.compile(r"^[\d\s()+\-]*$")


class NoFinder(ServiceError):
    """No app registered the customer finder (``org`` does when it starts)."""

    status = 503
    code = "unavailable"


def _finder() -> subjects.Finder:
    try:
        return subjects.finder()
    except LookupError:
        raise NoFinder(
            _("The customer register is not available: personal-data requests cannot be handled now.")
        ) from None


class SourceFailed(ServiceError):
    """A source could not erase; the whole erasure was rolled back."""

    status = 500
    code = "source_failed"


# --- Finding the person ------------------------------------------------------------------------


def clean_phone(phone: str) -> str:
    """The typed number as digits, or InvalidInput: only a whole number is searched (a part of
    one, or a masked one, would list strangers)."""
    typed = (phone or "").strip()
    if not typed:
        return ""
    if "*" in typed:
        raise InvalidInput(
            _("A masked number cannot be searched: type the customer's whole phone number."), field="phone"
        )
    if not _TYPED_PHONE.match(typed):
        raise InvalidInput(_("A phone number has digits only."), field="phone")
    digits = normalise_phone(typed)
    if digits.startswith("1"):
        if len(digits) != 11:
            raise InvalidInput(
                _("A mobile number has 11 digits; type the whole number (you typed %(n)d).")
                % {"n": len(digits)},
                field="phone",
            )
    elif not 7 <= len(digits) <= 12:
        raise InvalidInput(
            _("Type the whole phone number, with the area code for a landline (7 to 12 digits)."),
            field="phone",
        )
    return digits


def find(user: Actor, *, name: str = "", unit: str = "", phone: str = "") -> list[Candidate]:
    """Customers matching every criterion given, in the user's scope, phones masked."""
    if not policy.check_rule(user, policy.Rule.RECORDS):
        raise NotAllowed(_("Only administrators and auditors see personal-data requests."))
    name, unit = (name or "").strip(), (unit or "").strip()
    digits = clean_phone(phone)
    if not (name or unit or digits):
        raise InvalidInput(_("Give a name, a unit or a whole phone number to search for."))
    return list(_finder().search(user, name=name, unit=unit, phone=digits))


# --- What both requests share ------------------------------------------------------------------


def _require_admin(actor: Actor) -> None:
    if not policy.is_admin(actor):
        raise NotAllowed(_("Only an administrator acts on a personal-data request; auditors read them."))


def _clean_ids(customer_ids: Sequence[int]) -> list[int]:
    try:
        ids = sorted({int(each) for each in customer_ids})
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose the customer the request is about."), field="customers") from None
    if not ids:
        raise InvalidInput(_("Choose the customer the request is about."), field="customers")
    if len(ids) > MAX_CUSTOMERS:
        raise InvalidInput(
            _("One request covers at most %(n)d customer records.") % {"n": MAX_CUSTOMERS}, field="customers"
        )
    return ids


def _subject(ids: list[int]) -> Subject:
    finder = _finder()
    try:
        subject = finder.subject(ids)
    except Exception as exc:  # the finder's own "no such customer" (DoesNotExist, ValueError …)
        log.info("Personal-data request for unknown customers: %s", type(exc).__name__)
        raise NotFound(_("One of the chosen customers no longer exists.")) from None
    if not set(ids) <= set(subject.customer_ids):
        raise NotFound(_("One of the chosen customers no longer exists."))
    return subject


def masked_label(subject: Subject) -> str:
    """The finder's masked label, unless it shows a whole name or number (then the ids)."""
    label = subject.label or ""
    shown = [name for name in subject.names if len(name) > 1] + list(subject.phones)
    if not label or any(each and each in label for each in shown):
        label = "#" + ", #".join(str(pk) for pk in sorted(subject.customer_ids))
    return label[:200]


def _received_via(text: str, subject: Subject) -> str:
    text = " ".join((text or "").split())[:200]
    digits = normalise_phone(text)
    if any(name and len(name) > 1 and name in text for name in subject.names) or any(
        phone and (phone in text or phone in digits) for phone in subject.phones
    ):
        # The request's record stays after the erasure: it must not name the person.
        raise InvalidInput(
            _("Do not write the customer's name or phone number here: say how the request came."),
            field="received_via",
        )
    return text


def _new_request(
    *, kind: RequestKind, actor: Actor, subject: Subject, received_via: str, at: datetime, outcome: dict
) -> DataRequest:
    account = user_of(actor)
    if account is None:  # _require_admin let through only a signed-in administrator
        raise NotAllowed(_("Only an administrator acts on a personal-data request; auditors read them."))
    return DataRequest.objects.create(
        number=next_number(NUMBER_PREFIX, at),
        kind=kind,
        subject_label=masked_label(subject),
        customer_ids=sorted(subject.customer_ids),
        received_via=received_via,
        handled_by=account,
        handled_at=at,
        outcome=outcome,
    )


def export_order() -> list[Source]:
    """The customer's own record (the finder's app) first, then the rest as registered."""
    found = subjects.sources()
    return sorted(found, key=lambda s: s.key != FINDER_SOURCE)


def erase_order() -> list[Source]:
    """Every source, the finder's app last: the others find the person through its data."""
    found = subjects.sources()
    return sorted(found, key=lambda s: s.key == FINDER_SOURCE)


# --- The copy --------------------------------------------------------------------------------------


def _section_counts(chapters: list[tuple[Source, list[Section]]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for source, sections in chapters:
        for section in sections:
            title = str(section.title)
            if title in counts:
                title = f"{source.label} · {title}"
            counts[title] = counts.get(title, 0) + len(section.entries)
    return counts


def export(*, actor: Actor, customer_ids: Sequence[int], received_via: str) -> tuple[DataRequest, bytes, str]:
    """The person's copy of their data (a PDF, or HTML where PDFs cannot be made) and the
    request's record; the file is handed over, never stored."""
    _require_admin(actor)
    ids = _clean_ids(customer_ids)
    at = clock_now()
    with transaction.atomic():
        subject = _subject(ids)
        via = _received_via(received_via, subject)
        chapters = [(source, list(source.collect(subject))) for source in export_order()]
        request = _new_request(
            kind=RequestKind.EXPORT,
            actor=actor,
            subject=subject,
            received_via=via,
            at=at,
            outcome={"sections": _section_counts(chapters)},
        )
        data, extension = build_copy(request=request, subject=subject, chapters=chapters, actor=actor)
        log_personal_data_access(user=actor, subject=request, field=ACCESS_FIELD, reason=request.number)
    return request, data, f"{request.number}.{extension}"


# --- The erasure -----------------------------------------------------------------------------------


def _kept_row(kept: Kept, source: Source) -> dict[str, str | None]:
    return {
        "what": str(kept.what),
        "why": str(kept.why),
        "until": kept.until.isoformat() if kept.until else None,
        "source": source.key,
    }


def erase(*, actor: Actor, customer_ids: Sequence[int], received_via: str) -> DataRequest:
    """Erase or anonymise what every source holds about the person, in one transaction, and
    record what went and what was kept (what, why, until when). A source that fails undoes
    the whole erasure."""
    _require_admin(actor)
    ids = _clean_ids(customer_ids)
    at = clock_now()
    with transaction.atomic():
        # Built once, before anything changes: the finder's data goes last of all.
        subject = _subject(ids)
        via = _received_via(received_via, subject)
        erased: dict[str, int] = {}
        kept: list[dict[str, str | None]] = []
        for source in erase_order():
            try:
                outcome = source.erase(subject, at)
            except ServiceError:
                raise
            except Exception:
                log.exception("Personal-data source %s failed to erase; nothing was erased", source.key)
                raise SourceFailed(
                    _("Nothing was erased: %(part)s could not be erased. The error is in the server's log.")
                    % {"part": source.label}
                ) from None
            erased[source.key] = outcome.erased
            kept.extend(_kept_row(each, source) for each in outcome.kept)
        return _new_request(
            kind=RequestKind.ERASE,
            actor=actor,
            subject=subject,
            received_via=via,
            at=at,
            outcome={"erased": erased, "kept": kept},
        )


def source_labels() -> dict[str, str]:
    """Each registered source's name in the reader's language, by key."""
    return {source.key: str(source.label) for source in subjects.sources()}
