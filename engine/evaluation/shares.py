"""The one rounding of "a share of a group" to a count of people.

Grade quotas (优秀 at most 20 %) and bottom-rank outcomes (末位 10 %) both
turn share × group size into a whole number of places. The product is taken
in Decimal from the share as written, so 0.1 × 30 is exactly 3 and never
2.999…, then rounded as the ruleset declares (floor, ceil or half_up).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

import numpy as np

from kaohe.engine.language.distinct import per_distinct
from kaohe.engine.ruleset.model import QuotaRounding

ROUNDINGS: dict[QuotaRounding, str] = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}


def share_count(share: float | str | Decimal, size: int, rounding: QuotaRounding) -> int:
    """``share`` × ``size`` rounded as declared (not limited to ``size``)."""
    exact = Decimal(repr(share) if isinstance(share, float) else str(share)) * size
    return int(exact.quantize(Decimal(1), rounding=ROUNDINGS[rounding]))


def quota_places(rounding: QuotaRounding, group_size: np.ndarray, share: np.ndarray | None,
                 min_count: np.ndarray, max_count: np.ndarray | None) -> np.ndarray:
    """Places per subject's group: the share rounded as declared, at least
    ``min_count``, never more than ``max_count`` (e.g. promotion places) nor
    the group itself. Each size is given per subject (its group's value)."""
    sizes = np.asarray(group_size, dtype=np.int64)
    places = np.full(sizes.shape, np.iinfo(np.int64).max, dtype=np.int64)
    if share is not None:
        shares = np.asarray(share, dtype=float).reshape(-1)
        flat = sizes.reshape(-1)
        counted = per_distinct(lambda i: share_count(float(shares[i]), int(flat[i]), rounding), shares, flat)
        places = np.array(counted, dtype=np.int64).reshape(sizes.shape)
        places = np.maximum(places, min_count.astype(np.int64))
    if max_count is not None:
        places = np.minimum(places, max_count.astype(np.int64))
    return np.minimum(places, sizes)
