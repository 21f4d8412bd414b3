"""What every API endpoint shares (SPEC A-2): authentication, the one error format, paging.

Authentication: a personal API token (``Authorization: Bearer edk_…``) or the browser
session, with Django's CSRF check for unsafe methods. Either way only staff members get in;
what they may see and change is then decided by ``estatedesk.core.policy``, exactly as in
the web interface.

Errors: every failure, from a malformed body to a duplicate record, is answered as
``{"detail": …, "code": …, "errors": [{"loc": […], "msg": …}]}`` with ``detail`` in the
request's language, so clients need one error parser and never see an HTML error page —
also for what is refused before the API runs (a control character in the query string, 400;
see ``core.params``) and for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413).
A text saved by someone else since the client read it (``code`` ``stale_edit``, 409) also
carries ``current`` (the texts now saved), ``version`` (to send when saving again),
``saved_by`` and ``saved_at`` (decision 0011).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from typing import TYPE_CHECKING, Annotated, Any, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from estatedesk.core import policy
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import AlreadyHandled, NotAllowed, NotFound, ServiceError, StaleEdit
from estatedesk.core.paging import rows_by_ids
from estatedesk.core.params import DATE_MAX, DATE_MIN, MAX_ID, DateOutOfRange, parse_day
from estatedesk.core.services import authenticate_token

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger("estatedesk.api")

# Database ids are 64-bit (core.params); bounding them keeps out-of-range numbers a 422, not a driver error.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _json_integer(value: Any) -> Any:
    # JSON Schema counts 3.0 as an integer, but not "3" or true; pydantic's lax mode would take both.
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# Numbers in JSON bodies: exactly what the schema says.
JsonInt = Annotated[int, BeforeValidator(_json_integer)]
BodyId = Annotated[JsonInt, Field(ge=1, le=MAX_ID)]


def _query_day(value: Any) -> Any:
    # YYYY-MM-DD text only, in core.params' range: pydantic alone takes 0 for 1970-01-01 and
    # any year up to 9999, whose day after does not exist.
    if isinstance(value, date):
        value = value.isoformat()
    message = _("Give a date from %(first)s to %(last)s.") % {
        "first": DATE_MIN.isoformat(),
        "last": DATE_MAX.isoformat(),
    }
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", message)
    try:
        day = parse_day(value)
    except DateOutOfRange:
        raise PydanticCustomError("out_of_range", message) from None
    if day is None:
        raise PydanticCustomError("date_parsing", message)
    return day


# A date in a query string (a list filter).
QueryDay = Annotated[date, BeforeValidator(_query_day)]


def omissible(description: str | None = None) -> Any:
    """A PATCH field: leave it out to keep the stored value; ``null`` is refused unless the type allows it."""
    return Field(None, description=description)


class Input(BaseModel):
    """A request body: a JSON object with only the documented keys (a typo is a 422, not ignored)."""

    model_config = ConfigDict(extra="forbid")


# NUL cannot be stored in PostgreSQL text; refuse it at the door on every database.
NO_NUL = r"^[^\x00]*$"


def text(max_length: int, *, required: bool = False) -> StringConstraints:
    """Constraints of a string field: trimmed, bounded, NUL-free; ``required`` also refuses blanks.

    Use as ``Annotated[str, text(100, required=True)]``.
    """
    return StringConstraints(
        strip_whitespace=True, min_length=1 if required else 0, max_length=max_length, pattern=NO_NUL
    )


# --- The error format --------------------------------------------------------------------


class ErrorItem(Schema):
    loc: list[str | int] = Field(description="Where the problem is, e.g. ['body', 'number'].")
    msg: str


class Error(Schema):
    detail: str = Field(description="What went wrong, in the request's language.")
    code: str = Field(description="A stable machine-readable code, e.g. 'not_found', 'invalid'.")
    errors: list[ErrorItem] = Field(default_factory=list)
    current: dict[str, str] | None = Field(
        None,
        description="Only with code 'stale_edit': the texts someone else saved since you read the "
        "record, by the body field that edits each. Nothing of yours was saved.",
    )
    version: int | None = Field(
        None, description="Only with code 'stale_edit': the record's version now; send it to save again."
    )
    saved_by: str | None = Field(None, description="Only with code 'stale_edit': who saved that version.")
    saved_at: datetime | None = Field(None, description="Only with code 'stale_edit': when.")


# The body field of every edit of a versioned text (decision 0011).
VERSION_DESCRIPTION = (
    "The record's `version` you read before editing (GET answers it). Required: if someone saved "
    "the text since, the answer is 409 with code 'stale_edit', their text in `current`, and nothing "
    "is overwritten; compare, then send again with the new `version`."
)


class ApiError(Exception):
    """Raised by endpoints for an answer in the error format with a chosen status and code."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        errors: Iterable[Mapping[str, Any]] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = list(errors)
        self.extra = dict(extra or {})


def invalid(field: str, msg: str, *, where: str = "body") -> ApiError:
    """A 422 about one input field."""
    return ApiError(
        422, "invalid", _("Some of the data sent is not valid."), [{"loc": [where, field], "msg": msg}]
    )


def stale_edit(exc: StaleEdit) -> ApiError:
    """Someone else saved the text since the client read it: 409 with their text and the version."""
    message = str(exc.message)
    return ApiError(
        409,
        exc.code,
        message,
        [{"loc": ["body", "version"], "msg": message}],
        extra={
            "current": exc.current,
            "version": exc.version,
            "saved_by": exc.saved_by,
            # In company time, like every time the API answers.
            "saved_at": exc.saved_at.astimezone(company_zone()).isoformat() if exc.saved_at else None,
        },
    )


@contextmanager
def service_errors(fields: Iterable[str] = ()) -> Iterator[None]:
    """A service's refusal in the API's error format: 403, 404, 409 (a stale edit with both
    texts), 422. A field the service names is reported at ``["body", field]`` when the request
    has such a field (``fields``); otherwise — the problem is the record's state, not what was
    sent — at ``["body"]``. A reference in the body that is not found is a 422 like any unknown
    id; the addressed record not found is a 404."""
    sent = set(fields)
    try:
        yield
    except StaleEdit as exc:
        raise stale_edit(exc) from exc
    except AlreadyHandled as exc:
        raise ApiError(409, "conflict", str(exc.message)) from exc
    except NotAllowed as exc:
        raise ApiError(403, "permission_denied", str(exc.message)) from exc
    except NotFound as exc:
        if exc.field is not None and exc.field in sent:
            raise invalid(exc.field, str(exc.message)) from exc
        raise ApiError(404, "not_found", _("Not found.")) from exc
    except ServiceError as exc:
        message = str(exc.message)
        if exc.field is not None and exc.field in sent:
            raise invalid(exc.field, message) from exc
        raise ApiError(422, "invalid", message, [{"loc": ["body"], "msg": message}]) from exc


def responses(ok: int, model: Any, *codes: int) -> dict[int, Any]:
    """The ``response=`` of an endpoint: its success model and the error statuses it documents."""
    result: dict[int, Any] = {ok: model}
    result.update({code: Error for code in codes})
    return result


# Statuses every authenticated endpoint may answer, besides its own. 400: a path or query
# string with a control character (refused before the API runs); 413: a body too large.
READ_ERRORS = (400, 401, 403, 422)
WRITE_ERRORS = (400, 401, 403, 409, 413, 422)


def _body(detail: str, code: str, errors: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {
        "detail": str(detail),
        "code": code,
        "errors": [
            {"loc": [str(p) if not isinstance(p, int) else p for p in e["loc"]], "msg": str(e["msg"])}
            for e in errors
        ],
    }


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    """An answer in the error format from outside the API's views (the request-line check)."""
    return JsonResponse(_body(detail, code), status=status)


def too_large_detail() -> str:
    return _("The request is too large: send at most %(size)s MB.") % {
        "size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    }


# Endpoints name their JSON body parameter "payload"; clients see ["body", "number"], as in
# the errors the endpoints raise themselves, not ["body", "payload", "number"].
BODY_PARAM = "payload"


def _loc(loc: Iterable[Any]) -> list[Any]:
    parts = list(loc)
    if parts[:2] == ["body", BODY_PARAM]:
        del parts[1]
    return parts


def _django_errors(exc: DjangoValidationError) -> list[dict[str, Any]]:
    if not hasattr(exc, "error_dict"):
        return [{"loc": ["body"], "msg": msg} for msg in exc.messages]
    items: list[dict[str, Any]] = []
    for field, messages in exc.message_dict.items():
        loc = ["body"] if field == NON_FIELD_ERRORS else ["body", field]
        items.extend({"loc": loc, "msg": msg} for msg in messages)
    return items


UNIQUE_CODES = frozenset({"unique", "unique_together"})


def _only_duplicates(exc: DjangoValidationError) -> bool:
    """Nothing is wrong with the data itself, it only repeats an existing record: a conflict (409)."""
    codes = [e.code for errors in getattr(exc, "error_dict", {}).values() for e in errors]
    return bool(codes) and all(code in UNIQUE_CODES for code in codes)


HTTP_ERROR_CODES = {400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def handler(exc_class: type[Exception]) -> Callable[[Callable], Callable]:
        def register(func: Callable[[HttpRequest, Any], HttpResponse]) -> Callable:
            api.add_exception_handler(exc_class, func)
            return func

        return register

    @handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, {**_body(exc.detail, exc.code, exc.errors), **exc.extra})

    @handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [{"loc": _loc(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors]
        return respond(request, 422, _body(_("Some of the data sent is not valid."), "invalid", errors))

    @handler(DjangoValidationError)
    def model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if _only_duplicates(exc):
            detail = _("A record with these details already exists.")
            return respond(request, 409, _body(detail, "duplicate", _django_errors(exc)))
        detail = _("Some of the data sent is not valid.")
        return respond(request, 422, _body(detail, "invalid", _django_errors(exc)))

    @handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = _("Authentication required: send an API token (Authorization: Bearer …) or sign in.")
        return respond(request, 401, _body(detail, "not_authenticated"))

    @handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's own errors: an unparsable body (400) and a failed CSRF check (403).
        if exc.status_code == 400:
            detail = _("The request body could not be read: send valid JSON.")
        elif exc.status_code == 403 and "CSRF" in exc.message:
            return respond(
                request, 403, _body(_("The CSRF check failed. Reload the page and try again."), "csrf_failed")
            )
        else:
            detail = exc.message
        return respond(
            request, exc.status_code, _body(detail, HTTP_ERROR_CODES.get(exc.status_code, "error"))
        )

    @handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, _body(too_large_detail(), "too_large"))

    @handler(Http404)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(request, 404, _body(_("Not found."), "not_found"))

    api.add_exception_handler(ObjectDoesNotExist, not_found)

    @handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You do not have permission to do this.")
        return respond(request, 403, _body(detail, "permission_denied"))

    @handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # Validation catches duplicates first; this is the race where two requests collide.
        logger.info("API integrity error: %s", exc)
        return respond(
            request,
            409,
            _body(_("This conflicts with an existing record; reload and try again."), "conflict"),
        )

    @handler(DataError)
    def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
        logger.info("API data error: %s", exc)
        return respond(request, 422, _body(_("Some of the data sent is not valid."), "invalid"))

    @handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(
            request,
            500,
            _body(_("Something went wrong on our side. Please try again later."), "server_error"),
        )


# --- Authentication ----------------------------------------------------------------------


def _admit(request: HttpRequest, user: AbstractBaseUser) -> AbstractBaseUser:
    """Only staff members use the API; a signed-in resident is known but not allowed."""
    if not policy.is_staff_member(user):
        raise ApiError(403, "not_staff", _("The API is only for staff members."))
    return user


class TokenAuth(HttpBearer):
    """A personal API token, created on the profile page or with ``manage.py create_api_token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token.strip())
        if user is None:
            # An explicit but wrong token is refused outright rather than falling back to the session.
            raise ApiError(401, "invalid_token", _("The API token is not valid or has been revoked."))
        request.user = user
        return _admit(request, user)


class StaffSessionAuth(APIKeyCookie):
    """The browser session of a signed-in staff member; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(403, "csrf_failed", _("The CSRF check failed. Reload the page and try again."))
        return _admit(request, user)

    def authenticate(
        self, request: HttpRequest, key: str | None
    ) -> Any:  # pragma: no cover - __call__ decides
        return None


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Guards the OpenAPI document and ``/api/docs`` (ninja's ``docs_decorator``).

    They are for staff members signed in or holding a token, as the API itself is, unless
    ``API_DOCS_PUBLIC`` publishes them. A stranger asking for the document gets a 401 in the
    API's error format; one opening the docs page is sent to sign in.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.API_DOCS_PUBLIC:
            return view(request, *args, **kwargs)
        scheme, _space, credential = request.headers.get("Authorization", "").partition(" ")
        user: Any
        if scheme.lower() == "bearer":
            user = authenticate_token(credential.strip())
            if user is None:
                return _docs_refusal(
                    401, "invalid_token", _("The API token is not valid or has been revoked.")
                )
        else:
            user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            match = request.resolver_match
            if match is not None and match.url_name == "openapi-view":
                return redirect_to_login(request.get_full_path())
            detail = _("Authentication required: send an API token (Authorization: Bearer …) or sign in.")
            return _docs_refusal(401, "not_authenticated", detail)
        if not policy.is_staff_member(user):
            return _docs_refusal(403, "not_staff", _("The API is only for staff members."))
        return view(request, *args, **kwargs)

    return guarded


def _docs_refusal(status: int, code: str, detail: str) -> HttpResponse:
    response = JsonResponse(_body(detail, code), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def current_user(request: HttpRequest) -> User:
    """The staff member the API admitted (``_admit``): always a signed-in account."""
    return cast("User", request.auth)  # type: ignore[attr-defined]


# --- Paging ------------------------------------------------------------------------------

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class Paging(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Rows per page, at most 200."
    )


def paginate(queryset: QuerySet[Any], paging: Paging) -> dict[str, Any]:
    """A COUNT, the page's ids, then its rows: the same queries whatever the number of rows
    (see ``core.paging``); a page past the end is empty."""
    count = queryset.count()
    start = (paging.page - 1) * paging.page_size
    items = rows_by_ids(queryset, start, start + paging.page_size) if start < count else []
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}
