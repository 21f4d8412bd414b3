"""Background jobs of the calendar: thin, they call ``recompute``."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from estatedesk.workcal import recompute


@db_task(retries=2, retry_delay=30)
def recompute_years(years: list[int]) -> dict[str, int]:
    return recompute.recompute_open_deadlines(set(years))


@db_task(retries=2, retry_delay=30)
def recompute_hours(estate_id: int | None) -> dict[str, int]:
    return recompute.office_hours_changed(estate_id)
