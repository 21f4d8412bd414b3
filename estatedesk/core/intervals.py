"""Confidence intervals for rates (SPEC S-2). Pure: no Django.

Lives on the floor because both the satisfaction surveys and the reports show a rate with its
interval, and neither may import the other.
"""

from __future__ import annotations

import math

__all__ = ["wilson"]


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """Wilson score interval (95 % by default) for successes / n; None when n == 0 (S-2).

    Wilson rather than the textbook p ± z·√(p(1−p)/n): that one collapses to a zero-width
    interval at 0/n and n/n and leaves [0, 1] for small samples, which is exactly what a
    monthly consultation of 12 households is.
    """
    if n == 0:
        return None
    if not 0 <= successes <= n or z <= 0:
        raise ValueError(f"wilson needs 0 <= successes <= n and z > 0, got {successes}, {n}, {z}")
    p, z2 = successes / n, z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0/n and n/n the exact bound is 0 or 1; say so rather than print 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - margin)
    high = 1.0 if successes == n else min(1.0, centre + margin)
    return low, high
