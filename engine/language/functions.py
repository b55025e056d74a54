"""The built-in functions of the expression language, one library.

Element-wise functions (``min``, ``round``, ``coalesce`` …), the cohort
functions (``language.cohort``) and the period functions' signatures
(``language.periodic``, evaluated by the expression evaluator itself). The
built-in plugin ``kaohe.plugins.functions`` registers them through
``register_functions`` like any plugin's, so a plugin cannot replace one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kaohe.engine.language.cohort import COHORT_FUNCTIONS
from kaohe.engine.language.periodic import (
    PERIOD_FUNCTIONS,
    YEAR_FUNCTIONS,
    signature_of,
    year_signature_of,
)
from kaohe.engine.language.truth import truth

ColumnFunction = Callable[..., Any]
"""A function expressions may call: scalars and numpy columns in, a column (or scalar) out."""


def _elementwise(reducer: np.ufunc) -> ColumnFunction:
    def apply(*args: Any) -> Any:
        if not args:
            raise TypeError("needs at least one argument")
        if len(args) == 1:
            return args[0]
        return reducer.reduce(np.broadcast_arrays(*[np.asarray(a, dtype=float) for a in args]))

    return apply


def _round(x: Any, digits: Any = 0) -> Any:
    scale = 10.0 ** int(digits)
    value = np.asarray(x, dtype=float) * scale
    # half away from zero, after removing binary noise such as 2.675 -> 2.67499999
    value = np.round(value, 6)
    return np.sign(value) * np.floor(np.abs(value) + 0.5) / scale


def _coalesce(x: Any, default: Any) -> Any:
    x = np.asarray(x, dtype=float)
    return np.where(np.isnan(x), default, x)


BUILTIN_FUNCTIONS: dict[str, ColumnFunction] = {
    "min": _elementwise(np.minimum),
    "max": _elementwise(np.maximum),
    "abs": lambda x: np.abs(np.asarray(x, dtype=float)),
    "round": _round,
    "floor": lambda x: np.floor(np.asarray(x, dtype=float)),
    "ceil": lambda x: np.ceil(np.asarray(x, dtype=float)),
    "clip": lambda x, lo, hi: np.clip(np.asarray(x, dtype=float), lo, hi),
    "where": lambda c, a, b: np.where(truth(c), a, b),
    "coalesce": _coalesce,
    "isnull": lambda x: np.isnan(np.asarray(x, dtype=float)),
    "sqrt": lambda x: np.sqrt(np.asarray(x, dtype=float)),
    **COHORT_FUNCTIONS,
    **{name: signature_of(name) for name in PERIOD_FUNCTIONS},  # evaluated by _ColumnEval._eval_call
    **{name: year_signature_of(name) for name in YEAR_FUNCTIONS},  # likewise, over the history table
}


_PERIOD_TITLES = {"count": "成立的个数", "all": "是否都成立", "any": "是否有一个成立", "streak": "最长连续成立",
                  "run": "截至最近连续成立", "sum": "合计", "mean": "平均", "min": "最小", "max": "最大",
                  "last": "最近一个的取值"}
FUNCTION_TITLES: dict[str, str] = {
    "min": "较小值 min", "max": "较大值 max", "abs": "绝对值 abs", "round": "四舍五入 round",
    "floor": "向下取整 floor", "ceil": "向上取整 ceil", "clip": "限制在上下限之间 clip", "where": "条件取值 where",
    "coalesce": "缺失时取默认值 coalesce", "isnull": "是否缺失 isnull", "sqrt": "平方根 sqrt",
    "mean": "同组平均 cohort mean", "median": "同组中位数 cohort median", "std": "同组标准差 cohort std",
    "zscore": "同组标准分 z-score", "percentile": "同组分位值 percentile", "highest": "同组最高 highest",
    "lowest": "同组最低 lowest", "count": "同组人数 count", "share": "同组占比 share", "rank": "同组名次 rank",
    **{f"periods_{k}": f"此前各周期：{v}" for k, v in _PERIOD_TITLES.items()},
    **{f"years_{k}": f"往年：{v}" for k, v in _PERIOD_TITLES.items()},
}
"""Titles ``kaohe plugins`` shows for the built-in functions (a plugin's function shows its docstring)."""
