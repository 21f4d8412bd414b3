"""Where a work transfer slip stands in its signing chain (K-8), for its page. Pure: no queries.

The chain is always drawn whole: raised by → department head → deputy GM → GM. Each signing
step is one of:

* ``signed``: signed there (passed up or decided), with who, when and for whom they acted;
* ``current``: the slip waits there now;
* ``skipped``: the slip went past it without a signature (the raiser chose a higher first
  signer, or a head passed it directly to the GM);
* ``pending``: the slip may still reach it;
* ``not_needed``: the slip was decided below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from estatedesk.complaints import workflow

SIGNED, CURRENT, SKIPPED, PENDING, NOT_NEEDED = "signed", "current", "skipped", "pending", "not_needed"


@dataclass(frozen=True)
class ChainStep:
    role: str  # "raised" | "department_head" | "deputy_gm" | "gm"
    state: str
    who: str = ""
    acting_for: str = ""
    at: datetime | None = None
    decision: str = ""  # "escalate" | "decide" for a signature


def slip_chain(
    *,
    status: str,
    first_signer: str,
    raised_by: str,
    raised_at: datetime,
    signatures: Iterable[Any],
) -> list[ChainStep]:
    """``signatures``: objects with ``level``, ``signer_name``, ``acting_for``, ``signed_at`` and
    ``decision``, in the order signed."""
    signed = {s.level: s for s in signatures}
    roles = workflow.SIGNER_ROLES
    current = workflow.SLIP_SIGNER.get(status)
    current_at = roles.index(current) if current in roles else None
    first_at = roles.index(first_signer) if first_signer in roles else 0
    reached = [roles.index(level) for level in signed if level in roles]
    highest = max([*reached, *([current_at] if current_at is not None else [])], default=first_at)
    steps = [ChainStep("raised", SIGNED, raised_by, at=raised_at)]
    for i, role in enumerate(roles):
        sig = signed.get(role)
        if sig is not None:
            steps.append(
                ChainStep(role, SIGNED, sig.signer_name, sig.acting_for or "", sig.signed_at, sig.decision)
            )
        elif i == current_at:
            steps.append(ChainStep(role, CURRENT))
        elif i < highest:
            steps.append(ChainStep(role, SKIPPED))
        elif current_at is None:
            steps.append(ChainStep(role, NOT_NEEDED))
        else:
            steps.append(ChainStep(role, PENDING))
    return steps
