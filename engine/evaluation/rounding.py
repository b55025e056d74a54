"""Declared rounding of scores, vectorised and free of binary float noise.

``2.675`` is stored as 2.67499999…; rounding it half-up must still give
2.68, as a policy officer computing by hand would. We first round the scaled
value to 6 decimals (far below any declared precision, far above float
noise), then apply the declared mode.
"""

from __future__ import annotations

import numpy as np

MODES = ("half_up", "half_even", "down", "up")


def round_scores(values: np.ndarray, digits: int, mode: str = "half_up") -> np.ndarray:
    scale = 10.0 ** digits
    scaled = np.round(np.asarray(values, dtype=float) * scale, 6)
    sign = np.sign(scaled)
    magnitude = np.abs(scaled)
    if mode == "half_up":
        rounded = np.floor(magnitude + 0.5)
    elif mode == "half_even":
        rounded = np.round(magnitude)
    elif mode == "down":
        rounded = np.floor(magnitude)
    elif mode == "up":
        rounded = np.ceil(magnitude)
    else:
        raise ValueError(f"unknown rounding mode {mode}")
    return sign * rounded / scale


def clean(values: np.ndarray, digits: int = 6) -> np.ndarray:
    """Display form of unrounded scores: strips float noise, keeps NaN."""
    return np.round(np.asarray(values, dtype=float), digits) + 0.0
