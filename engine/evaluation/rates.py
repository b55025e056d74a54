"""The one "rate against a target" (达成率) every rater uses.

Attainment (actual against a set target) and percentile (a value against a
peer quantile or the subject's own history) both ask how far a value is
toward its target. Edge rules, once:

- actual or target missing → missing (the indicator's ``missing`` decides);
- higher is better: ``actual / target`` when the target is above 0; a target
  of 0 or below (a growth target of −2 % in a bad year) cannot be a divisor,
  so it is met (1) by any value at or above it and missed (0) below it;
- lower is better: ``target / actual``; an actual of 0 or below is perfect
  and gets ``perfect`` (the rater's cap).

The caller clips the rate to its floor and cap.
"""

from __future__ import annotations

import numpy as np


def rate_against(actual: np.ndarray, target: np.ndarray, lower_is_better: bool, perfect: float) -> np.ndarray:
    actual = np.asarray(actual, dtype=float)
    target = np.asarray(target, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if lower_is_better:
            rate = np.where(actual <= 0, perfect, target / actual)
        else:
            rate = np.where(target > 0, actual / target, np.where(actual >= target, 1.0, 0.0))
    return np.where(np.isnan(actual) | np.isnan(target), np.nan, rate)
