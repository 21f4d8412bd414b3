from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from estatedesk.core.models import ApiToken


@transaction.atomic
def create_api_token(*, user, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the clear token, which is never stored and shown only now."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100] or "API", token_hash=ApiToken.hash(raw), hint=raw[:10]
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, user, token_id: int) -> bool:
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return bool(updated)


def authenticate_token(raw: str):
    """The active user behind a clear token, or None. Marks the token used at most once a minute."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.active().select_related("user").filter(token_hash=ApiToken.hash(raw)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def refresh_query_statistics() -> bool:
    """Keep SQLite's query planner informed (PostgreSQL's autovacuum does this by itself).

    SQLite never gathers table statistics on its own; without them it may sort a whole
    estate's complaints for page 1 instead of walking the list's index (1.7 s against 80 ms
    at 1,000,000 complaints, docs/benchmarks.md). ``analysis_limit`` makes ANALYZE sample
    each index, so it takes milliseconds whatever the table size. Returns whether it ran.
    """
    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    return True
