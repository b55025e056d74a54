"""The one rounding of "a share of a group" to a count of people.

Grade quotas (优秀 at most 20 %) and bottom-rank outcomes (末位 10 %) both
turn share × group size into a whole number of places. The product is taken
in Decimal from the share as written, so 0.1 × 30 is exactly 3 and never
2.999…, then rounded as the ruleset declares (floor, ceil or half_up).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

import numpy as np

from kaohe.engine.ruleset.model import Quota, QuotaRounding

ROUNDINGS: dict[QuotaRounding, str] = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "half_up": ROUND_HALF_UP}


def share_count(share: float | str | Decimal, size: int, rounding: QuotaRounding) -> int:
    """``share`` × ``size`` rounded as declared (not limited to ``size``)."""
    exact = Decimal(repr(share) if isinstance(share, float) else str(share)) * size
    return int(exact.quantize(Decimal(1), rounding=ROUNDINGS[rounding]))


def quota_places(quota: Quota, group_size: np.ndarray) -> np.ndarray:
    """Places per subject's group: the share rounded as declared, at least
    ``min_count``, never more than ``max_count`` (e.g. promotion places) nor
    the group itself."""
    sizes = np.asarray(group_size, dtype=np.int64)
    places = np.full(sizes.shape, np.iinfo(np.int64).max, dtype=np.int64)
    if quota.max_share is not None:
        by_size = {int(s): share_count(quota.max_share, int(s), quota.rounding) for s in np.unique(sizes)}
        places = np.array([by_size[int(s)] for s in sizes], dtype=np.int64).reshape(sizes.shape)
        places = np.maximum(places, quota.min_count)
    if quota.max_count is not None:
        places = np.minimum(places, quota.max_count)
    return np.minimum(places, sizes)
