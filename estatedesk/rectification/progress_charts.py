"""The progress page's charts as ECharts options (SPEC R-5). Pure: the tables' rows in, JSON-safe
dicts out; labels already translated by the caller. The page only draws them
(``static/estatedesk/charts.js`` reads each from a ``json_script`` tag: no inline script).

* status by batch: stacked bars, one per report, the items with the property company, with the
  developer, awaiting the resident and accepted;
* items by round: bars, the items whose current round is 1, 2, 3…;
* overdue by team: bars lying down, the teams and departments with overdue items.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from estatedesk.rectification.figures import Counts

PALETTE = ["#6c757d", "#0d6efd", "#fd7e14", "#198754", "#dc3545"]
OVERDUE = "#dc3545"


def _bars(
    categories: Sequence[str],
    series: dict[str, Sequence[int]],
    *,
    stacked: bool = False,
    horizontal: bool = False,
    colours: Sequence[str] = PALETTE,
) -> dict[str, Any]:
    category_axis: dict[str, Any] = {"type": "category", "data": list(categories)}
    value_axis = {"type": "value", "minInterval": 1}
    if horizontal:
        category_axis["inverse"] = True  # the first row on top, as in the table
    return {
        "color": list(colours),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": list(series)},
        "grid": {"left": 10, "right": 20, "bottom": 10, "top": 40, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": [
            {"name": name, "type": "bar", "data": list(values), **({"stack": "total"} if stacked else {})}
            for name, values in series.items()
        ],
    }


def status_by_batch(rows: Sequence[tuple[str, Counts]], names: dict[str, str]) -> dict[str, Any]:
    """``names``: the translated series names keyed with_property, with_developer,
    awaiting_resident, accepted."""
    keys = ("with_property", "with_developer", "awaiting_resident", "accepted")
    return _bars(
        [label for label, _c in rows],
        {names[k]: [getattr(c, k) for _l, c in rows] for k in keys},
        stacked=True,
        colours=[PALETTE[0], PALETTE[2], PALETTE[1], PALETTE[3]],
    )


def items_by_round(rows: Sequence[tuple[str, Counts]], name: str) -> dict[str, Any]:
    return _bars([label for label, _c in rows], {name: [c.items for _l, c in rows]}, colours=[PALETTE[1]])


def overdue_by_team(rows: Sequence[tuple[str, Counts]], name: str) -> dict[str, Any] | None:
    """Only the teams with overdue items, most first; None when nothing is overdue."""
    late = sorted(((label, c) for label, c in rows if c.overdue), key=lambda r: -r[1].overdue)
    if not late:
        return None
    return _bars(
        [label for label, _c in late],
        {name: [c.overdue for _l, c in late]},
        horizontal=True,
        colours=[OVERDUE],
    )
