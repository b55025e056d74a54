"""Rule expressions: parsed once with simpleeval, evaluated over whole columns.

A ruleset writes conditions and formulas as short Python-like expressions
(``event.type == '红牌' and event.confirmed``, ``min(actual / target, 1.2)``).
They are parsed once at load through ``simpleeval``'s parser and then checked
against a strict whitelist: arithmetic, comparisons, ``and``/``or``/``not``,
``x if c else y``, calls of registered column functions, names the ruleset
declares and ``record.field`` for declared records. Nothing else: no
attributes of Python objects, no subscripts, no comprehensions, no lambdas.

Evaluation runs the same tree once per period with numpy arrays as values, so
``a / b`` divides two columns. Boolean operators and ``if`` become
element-wise (``np.logical_and``, ``np.where``); division by zero gives NaN
(missing), which the indicator's missing-data policy then handles.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
from simpleeval import SimpleEval

from kaohe.engine.errors import Bilingual
from kaohe.engine.language.cohort import (
    COHORT,
    METHODS,
    SCOPES,
    CohortError,
    keywords_of,
    public_signature,
)
from kaohe.engine.language.functions import BUILTIN_FUNCTIONS, ColumnFunction
from kaohe.engine.language.periodic import (
    HISTORY,
    MISSING,
    PERIOD_FUNCTIONS,
    PERIODS,
    YEAR_FUNCTIONS,
    PeriodError,
    last_years,
    reduce_periods,
)
from kaohe.engine.language.truth import truth
from kaohe.engine.language.wording import (
    CLASS_WORD,
    class_word,
    construct,
    expression_slip,
    runtime_problem,
    syntax_problem,
)

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_EXPONENT = 16
MAX_NUMBER = 1e15  # written numbers: above any score, count or yuan amount a ruleset needs; exact in a float
MAX_RESULT = MAX_NUMBER  # computed numbers, by the same reasoning

PERIOD_NAMES = "_period_names"  # in a NameSpec: names added inside period functions' first argument
SCOPE_FIELDS = "_scope_fields"  # in a NameSpec: the declared subject fields cohort functions may compare within
HISTORY_NAMES = "_history_names"  # in a NameSpec: the only names inside years functions' first argument
NameSpec = Mapping[str, frozenset[str] | None]
"""Names an expression may use: ``None`` for a plain column or scalar,
a set of field names for a record such as ``event``."""


class ExpressionError(Exception):
    """A problem in one expression; ``offset`` is the 0-based column in its text."""

    def __init__(self, code: str, params: Mapping[str, Any], offset: int = 0):
        self.code = code
        self.params = dict(params)
        self.offset = offset
        super().__init__(f"{code}: {params}")


# ---------------------------------------------------------------------------
# static whitelist

_ALLOWED_OPS = (
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.USub, ast.UAdd, ast.Not, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
    ast.In, ast.NotIn,
)
_ALLOWED_NODES = (
    ast.Expr, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Call,
    ast.Name, ast.Attribute, ast.Constant, ast.Load, ast.keyword, *_ALLOWED_OPS,
)


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression, ready to evaluate over columns."""

    text: str
    node: ast.AST = field(repr=False, compare=False)
    names: frozenset[str] = frozenset()
    functions: Mapping[str, ColumnFunction] = field(default_factory=dict, repr=False, compare=False)

    def evaluate(self, env: Mapping[str, Any], n: int) -> np.ndarray:
        """Evaluate over ``env`` (name -> column, scalar or record dict); length ``n``."""
        evaluator = _ColumnEval(names=env, functions=self.functions)
        try:
            with np.errstate(all="ignore"):
                result = evaluator.eval(self.text, previously_parsed=self.node)
        except ExpressionError:
            raise
        except Exception as exc:  # numpy or simpleeval refusing the data, not the text
            raise ExpressionError("E-EXPR-RUNTIME", {"expr": self.text, "problem": runtime_problem(exc)}) from exc
        return _in_range(self.text, _as_column(result, n))

    def evaluate_mask(self, env: Mapping[str, Any], n: int) -> np.ndarray:
        """Evaluate a condition (``kaohe.engine.language.truth``: missing is false)."""
        return truth(self.evaluate(env, n))


def compile_expression(
    text: Any,
    names: NameSpec,
    functions: Mapping[str, ColumnFunction] | None = None,
) -> Expression:
    """Parse and check ``text``; raise ``ExpressionError`` for anything not allowed.

    ``functions`` are all the functions the expression may call: a registry's
    (built-ins included, via ``kaohe.plugins.functions``); without it, the built-ins.
    """
    functions = dict(BUILTIN_FUNCTIONS if functions is None else functions)
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ExpressionError("E-EXPR-SYNTAX", {"expr": text, "problem": Bilingual("不是文字", "not text")})
    text = str(text).strip()
    if len(text) > MAX_LENGTH:
        raise ExpressionError("E-EXPR-TOO-LARGE", {"expr": text[:60] + "…", "detail": Bilingual(f"超过 {MAX_LENGTH} 个字符", f"> {MAX_LENGTH} chars")})
    try:
        body = ast.parse(text).body
    except SyntaxError as exc:
        if exc.msg.startswith("too many nested parentheses"):  # a size limit of the parser, said as ours
            raise ExpressionError("E-EXPR-TOO-LARGE", {"expr": text[:60] + "…", "detail": Bilingual(
                "括号嵌套过深", "parentheses nested too deep")}) from exc
        _refuse_slip(text)
        if (at := class_word(text)) is not None:
            raise ExpressionError("E-EXPR-SYNTAX", {"expr": text, "problem": CLASS_WORD}, at) from exc
        raise ExpressionError(
            "E-EXPR-SYNTAX", {"expr": text, "problem": syntax_problem(exc.msg)}, max((exc.offset or 1) - 1, 0)
        ) from exc
    if len(body) != 1:
        _refuse_slip(text)
        problem = Bilingual("是空的", "empty") if not body else Bilingual("不止一个语句", "more than one statement")
        raise ExpressionError("E-EXPR-SYNTAX", {"expr": text, "problem": problem})
    node = SimpleEval.parse(text)
    if not isinstance(node, ast.Expr):
        _refuse_slip(text)  # `event.type = '迟报'` reads as an assignment: a slip for ==
        raise ExpressionError("E-EXPR-FORBIDDEN", {"expr": text, "construct": construct("statement")})
    used = _Checker(text, names, functions).check(node)
    return Expression(text=text, node=node, names=frozenset(used), functions=functions)


def _refuse_slip(text: str) -> None:
    """Python could not read ``text`` as one expression: if a Chinese keyboard's slip is why (a
    full-width bracket, operator, comma, quote or digit; ``=`` for ``==``), say that, at the character."""
    slip = expression_slip(text)
    if slip is not None:
        raise ExpressionError(slip.code, {"expr": text, **slip.params()}, slip.offset)


class _Checker:
    def __init__(self, text: str, names: NameSpec, functions: Mapping[str, ColumnFunction]):
        self.text = text
        self.names = names
        self.functions = functions
        self.used: set[str] = set()

    def fail(self, code: str, node: ast.AST, **params: Any) -> NoReturn:
        raise ExpressionError(code, {"expr": self.text, **params}, getattr(node, "col_offset", 0))

    def check(self, root: ast.AST) -> set[str]:
        nodes = list(ast.walk(root))
        if len(nodes) > MAX_NODES:
            self.fail("E-EXPR-TOO-LARGE", root, detail=Bilingual(f"超过 {MAX_NODES} 个语法节点", f"> {MAX_NODES} nodes"))
        # names inside a period function's first argument are those of each sub-period
        self.inner = {id(inner) for node in nodes if _calls_period_function(node)
                      for inner in ast.walk(node.args[0])}  # type: ignore[attr-defined]
        # names inside a years function's first argument are the history table's fields of each year
        self.inner_years = {id(inner) for node in nodes if _calls(node, YEAR_FUNCTIONS)
                            for inner in ast.walk(node.args[0])}  # type: ignore[attr-defined]
        # a tuple or list is a value only as the right side of `in` / `not in`
        self.member_lists = {id(right) for node in nodes if isinstance(node, ast.Compare)
                             for op, right in zip(node.ops, node.comparators, strict=True)
                             if isinstance(op, ast.In | ast.NotIn)}
        for node in nodes:
            self.check_node(node)
        return self.used

    def check_node(self, node: ast.AST) -> None:
        if isinstance(node, ast.Compare):
            self.check_membership(node)
            return
        if isinstance(node, ast.Tuple | ast.List):
            if id(node) not in self.member_lists:  # (1, 2) as a value would not be one column
                self.fail("E-EXPR-FORBIDDEN", node, construct=construct("list outside in"))
            return  # its items are checked by check_membership
        if not isinstance(node, _ALLOWED_NODES):
            self.fail("E-EXPR-FORBIDDEN", node, construct=_describe(node))
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float | str | bool):
            self.fail("E-EXPR-FORBIDDEN", node, construct=repr(node.value))
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool) \
                and not abs(node.value) <= MAX_NUMBER:  # also refuses nan/inf and ints beyond float range
            self.fail("E-EXPR-NUMBER", node, limit=f"{MAX_NUMBER:.0e}")
        elif isinstance(node, ast.BinOp | ast.UnaryOp) and _text_operand(node):
            self.fail("E-EXPR-TEXT-ARITHMETIC", node)  # at validate: '*' * 10**9 never reaches the data
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            self.check_power(node)
        elif isinstance(node, ast.Call):
            self.check_call(node)
        elif isinstance(node, ast.Attribute):
            self.check_attribute(node)
        elif isinstance(node, ast.Name):
            self.check_name(node)

    def check_membership(self, node: ast.Compare) -> None:
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.Is | ast.IsNot):
                self.fail("E-EXPR-FORBIDDEN", node, construct=construct("is"))
            if isinstance(right, ast.Tuple | ast.List):
                if not isinstance(op, ast.In | ast.NotIn):
                    self.fail("E-EXPR-FORBIDDEN", right, construct=construct("list"))
                for element in right.elts:
                    if not isinstance(element, ast.Constant):
                        self.fail("E-EXPR-FORBIDDEN", element, construct=construct("non-constant list item"))

    def check_power(self, node: ast.BinOp) -> None:
        exponent = node.right
        if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.operand, ast.Constant):
            exponent = exponent.operand
        value = getattr(exponent, "value", None)
        if not isinstance(value, int | float) or isinstance(value, bool) or abs(value) > MAX_EXPONENT:
            self.fail("E-EXPR-POWER", node, limit=MAX_EXPONENT)

    def check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            self.fail("E-EXPR-FORBIDDEN", node, construct=construct("method call"))
        name = node.func.id
        if name.startswith("_"):  # __import__('os'): no function of ours, and the way into internals
            self.fail("E-EXPR-FORBIDDEN", node, construct=name)
        allowed = keywords_of(self.functions[name]) if name in self.functions else frozenset()
        for keyword_node in node.keywords:
            if keyword_node.arg not in allowed:
                self.fail("E-EXPR-FORBIDDEN", node, construct=construct("keyword argument"))
        if name in self.functions:
            self.check_arity(node, name)
            self.check_scope(node, name)
            self.check_context(node, name)
            self.check_settings(node, name)
        if name in YEAR_FUNCTIONS and HISTORY_NAMES not in self.names:
            self.fail("E-EXPR-HISTORY-UNDECLARED", node, name=name)
        if name not in self.functions:
            from kaohe.engine.errors import did_you_mean

            self.fail(
                "E-EXPR-UNKNOWN-FUNCTION", node, name=name,
                available=", ".join(sorted(self.functions)),
                suggest=did_you_mean(name, self.functions),
            )
        node.func._kaohe_function = True  # type: ignore[attr-defined]

    def check_arity(self, node: ast.Call, name: str) -> None:
        try:
            signature = public_signature(self.functions[name])
        except (TypeError, ValueError):
            return  # a builtin without an introspectable signature: checked when it runs
        try:
            signature.bind(*node.args, **{k.arg: None for k in node.keywords if k.arg})
        except TypeError:
            self.fail("E-EXPR-ARGS", node, name=name, count=len(node.args) + len(node.keywords),
                      signature=f"{name}{signature}")

    def check_scope(self, node: ast.Call, name: str) -> None:
        """A cohort function's ``within`` written as text must name a scope."""
        function = self.functions[name]
        if not getattr(function, "needs_cohort", False):
            return
        bound = public_signature(function).bind_partial(*node.args, **{k.arg: k.value for k in node.keywords if k.arg})
        within = bound.arguments.get("within")
        if not (isinstance(within, ast.Constant) and isinstance(within.value, str)):
            return  # the default, or an expression: checked when it runs
        scope = within.value
        declared = self.names.get(SCOPE_FIELDS)  # the subject fields a scope may be (subject_names)
        fields = sorted(declared) if declared is not None else \
            [n for n, record in self.names.items() if record is None]
        if scope not in SCOPES and scope not in fields:
            from kaohe.engine.errors import did_you_mean

            self.fail("E-EXPR-COHORT-SCOPE", within, scope=scope, available=", ".join([*SCOPES, *fields]),
                      suggest=did_you_mean(scope, [*SCOPES, *fields]))

    def check_context(self, node: ast.Call, name: str) -> None:
        """Where a function cannot run, said when the ruleset is checked, not when a period is evaluated:
        period functions only where the stage gives the earlier periods (a scope with ``PERIOD_NAMES``),
        cohort functions nowhere an expression is evaluated one event or item at a time."""
        if name in PERIOD_FUNCTIONS and PERIOD_NAMES not in self.names:
            self.fail("E-EXPR-PERIODS-CONTEXT", node, name=name)
        if getattr(self.functions[name], "needs_cohort", False) and ("event" in self.names or "item" in self.names):
            self.fail("E-EXPR-COHORT-CONTEXT", node, name=name)

    def check_settings(self, node: ast.Call, name: str) -> None:
        """Settings written as constants (a quantile, a method, an order, ``missing=``) checked as the
        function would check them when it runs."""
        try:
            bound = public_signature(self.functions[name]).bind_partial(
                *node.args, **{k.arg: k.value for k in node.keywords if k.arg})
        except (TypeError, ValueError):
            return  # arity is check_arity's; a builtin without a signature is checked when it runs
        given = {key: arg.value for key, arg in bound.arguments.items() if isinstance(arg, ast.Constant)}
        if name in PERIOD_FUNCTIONS or name in YEAR_FUNCTIONS:
            how = given.get("missing", "break")
            if how not in MISSING:
                self.fail("E-EXPR-PERIODS-ARG", node, name=name, value=how, allowed=", ".join(MISSING))
        elif name == "percentile":
            q, method = given.get("q", 0.5), given.get("method", "linear")
            share = isinstance(q, int | float) and not isinstance(q, bool) and 0 <= q <= 1
            if not share or method not in METHODS:
                self.fail("E-EXPR-COHORT-ARG", node, function=name, q=q, method=method, methods=", ".join(METHODS))
        elif name == "rank" and given.get("order", "desc") not in ("desc", "asc"):
            self.fail("E-EXPR-COHORT-ARG", node, function=name, q="", method=given["order"], methods="desc, asc")

    def check_attribute(self, node: ast.Attribute) -> None:
        from kaohe.engine.errors import did_you_mean

        if not isinstance(node.value, ast.Name) or node.attr.startswith("_"):
            self.fail("E-EXPR-FORBIDDEN", node, construct=f".{node.attr}")
        record = node.value.id
        fields = self.names.get(record)
        if record not in self.names:
            return  # reported by check_name on node.value
        if fields is None:
            self.fail("E-EXPR-FORBIDDEN", node, construct=f"{record}.{node.attr}")
        if node.attr not in fields:
            self.fail(
                "E-EXPR-UNKNOWN-FIELD", node, record=record, field=node.attr,
                available=", ".join(sorted(fields)), suggest=did_you_mean(node.attr, fields),
            )

    def check_name(self, node: ast.Name) -> None:
        from kaohe.engine.errors import did_you_mean

        if getattr(node, "_kaohe_function", False):
            return
        if node.id.startswith("_"):
            self.fail("E-EXPR-FORBIDDEN", node, construct=node.id)
        if node.id in ("True", "False"):
            return
        known = [name for name in self.names if not name.startswith("_")]
        if id(node) in self.inner:
            known += sorted(self.names.get(PERIOD_NAMES) or ())
        if id(node) in self.inner_years:
            known = sorted(self.names.get(HISTORY_NAMES) or ())
        if node.id not in known:
            self.fail(
                "E-EXPR-UNKNOWN-NAME", node, name=node.id,
                available=", ".join(sorted(set(known))) or "—",
                suggest=did_you_mean(node.id, known),
            )
        if id(node) not in self.inner and id(node) not in self.inner_years:
            self.used.add(node.id)


def _calls_period_function(node: ast.AST) -> bool:
    return _calls(node, PERIOD_FUNCTIONS)


def _calls(node: ast.AST, functions: Iterable[str]) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions
            and bool(node.args))


def _text_operand(node: ast.BinOp | ast.UnaryOp) -> bool:
    """Arithmetic on a quoted text (``'x' * 3``, ``'%s' % y``, ``-'a'``): never a number."""
    operands = [node.operand] if isinstance(node, ast.UnaryOp) else [node.left, node.right]
    return not isinstance(node.op, ast.Not) and any(
        isinstance(o, ast.Constant) and isinstance(o.value, str) for o in operands)


def _describe(node: ast.AST) -> Bilingual:
    kinds = {
        ast.Subscript: "subscript", ast.Lambda: "lambda", ast.ListComp: "comprehension",
        ast.GeneratorExp: "comprehension", ast.DictComp: "comprehension", ast.SetComp: "comprehension",
        ast.Dict: "dict", ast.Set: "set", ast.JoinedStr: "f-string", ast.NamedExpr: ":=", ast.Starred: "*",
    }
    return construct(kinds.get(type(node), type(node).__name__))


# ---------------------------------------------------------------------------
# columnar evaluation


def _numeric(value: Any, text: str) -> Any:
    """Arithmetic is on float64: conditions count as 0/1 and integers never wrap."""
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.dtype.kind in "OUS"):
        raise ExpressionError("E-EXPR-TEXT-ARITHMETIC", {"expr": text})
    return np.asarray(value, dtype=float)


def _divide(a: Any, b: Any) -> Any:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    result = np.divide(a, b)
    return np.where(b == 0, np.nan, result)


def _as_text(value: Any) -> Any:
    """A numeric column compared with text: blanks (NaN) read as '', numbers as written."""
    array = np.asarray(value, dtype=float)
    return np.array(["" if np.isnan(x) else f"{x:g}" for x in array.ravel().tolist()], dtype=object).reshape(
        array.shape)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, np.ndarray) and value.dtype.kind in "OUS")


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) or (
        isinstance(value, np.ndarray) and value.dtype.kind in "fiu")


def _equal(a: Any, b: Any) -> Any:
    """``==`` that also compares a data column typed as numbers (e.g. an all-blank
    column) with text, instead of failing."""
    if _is_text(a) and _is_number(b):
        b = _as_text(b)
    elif _is_number(a) and _is_text(b):
        a = _as_text(a)
    return np.equal(a, b)


def _membership(x: Any, options: Any) -> Any:
    options = list(options)
    if isinstance(x, np.ndarray):
        return np.isin(x, np.asarray(options, dtype=x.dtype if x.dtype.kind == "O" else None))
    return x in options


class _ColumnEval(SimpleEval):  # type: ignore[misc]  # simpleeval ships no types: its classes are Any
    """simpleeval's tree walker with element-wise semantics for numpy columns."""

    def __init__(self, names: Mapping[str, Any], functions: Mapping[str, ColumnFunction]):
        arithmetic: dict[type[ast.AST], ColumnFunction] = {
            ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: _divide,
            ast.FloorDiv: lambda a, b: np.floor(_divide(a, b)), ast.Mod: np.mod,
            ast.Pow: np.power, ast.USub: np.negative, ast.UAdd: np.positive,
        }
        operators = {
            op: self._guard(fn) for op, fn in arithmetic.items()
        } | {
            ast.Eq: _equal, ast.NotEq: lambda a, b: np.logical_not(_equal(a, b)), ast.Lt: np.less, ast.LtE: np.less_equal,
            ast.Gt: np.greater, ast.GtE: np.greater_equal, ast.Not: lambda x: np.logical_not(truth(x)),
            ast.In: _membership, ast.NotIn: lambda x, y: np.logical_not(_membership(x, y)),
        }
        callable_functions = {
            name: self._with_frame(name, fn) if getattr(fn, "needs_cohort", False) else fn
            for name, fn in functions.items()
        }
        super().__init__(operators=operators, functions=callable_functions, names=dict(names))
        self.plain_functions = functions
        self.nodes[ast.Tuple] = lambda node: tuple(self._eval(e) for e in node.elts)
        self.nodes[ast.List] = self.nodes[ast.Tuple]

    def _with_frame(self, name: str, fn: ColumnFunction) -> ColumnFunction:
        """A cohort function receives the period's frame from the environment."""

        def apply(*args: Any, **kwargs: Any) -> Any:
            frame = self.names.get(COHORT)
            if frame is None:
                raise ExpressionError("E-EXPR-COHORT-CONTEXT", {"expr": self.expr, "name": name})
            try:
                return fn(frame, *args, **kwargs)
            except CohortError as exc:
                raise ExpressionError(exc.code, {"expr": self.expr, **exc.params}) from None

        return apply

    def _eval_call(self, node: ast.Call) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in PERIOD_FUNCTIONS:
            return self._over_periods(node)
        if isinstance(node.func, ast.Name) and node.func.id in YEAR_FUNCTIONS:
            return self._over_years(node)
        return super()._eval_call(node)

    def _over_years(self, node: ast.Call) -> Any:
        """Evaluate the first argument in each previous year of the history table, then reduce."""
        name = node.func.id  # type: ignore[attr-defined]
        frame = self.names.get(HISTORY)
        if frame is None:  # the checker requires history_fields, so the stage always provides the frame
            raise ExpressionError("E-EXPR-HISTORY-UNDECLARED", {"expr": self.expr, "name": name})
        settings = [self._eval(a) for a in node.args[1:]]
        options = dict(zip(("years", "missing"), settings, strict=False))
        options.update(dict(self._eval(k) for k in node.keywords))
        try:
            environments, assessed = last_years(frame, options.get("years"), name)
            per_year = []
            for env in environments:
                inner = _ColumnEval(names=env, functions=self.plain_functions)
                inner.expr = self.expr
                per_year.append(inner._eval(node.args[0]))
            return reduce_periods(YEAR_FUNCTIONS[name], per_year, assessed, frame.n,
                                  str(options.get("missing", "break")))
        except PeriodError as exc:
            raise ExpressionError(exc.code, {"expr": self.expr, **exc.params}) from None

    def _over_periods(self, node: ast.Call) -> Any:
        """Evaluate the first argument in each sub-period, then reduce (``periodic``)."""
        name = node.func.id  # type: ignore[attr-defined]
        frame = self.names.get(PERIODS)
        if frame is None:
            raise ExpressionError("E-EXPR-PERIODS-CONTEXT", {"expr": self.expr, "name": name})
        settings = [self._eval(a) for a in node.args[1:]]
        options = dict(zip(("kind", "missing"), settings, strict=False))
        options.update(dict(self._eval(k) for k in node.keywords))
        environments, assessed = frame.environments(options.get("kind"))
        per_period = []
        for env in environments:
            inner = _ColumnEval(names=env, functions=self.plain_functions)
            inner.expr = self.expr
            per_period.append(inner._eval(node.args[0]))
        try:
            return reduce_periods(name, per_period, assessed, frame.n, str(options.get("missing", "break")))
        except PeriodError as exc:
            raise ExpressionError(exc.code, {"expr": self.expr, **exc.params}) from None

    def _guard(self, fn: ColumnFunction) -> ColumnFunction:
        def apply(*args: Any) -> Any:
            return fn(*(_numeric(a, self.expr) for a in args))

        return apply

    def _eval_boolop(self, node: ast.BoolOp) -> Any:
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        result = truth(self._eval(node.values[0]))
        for value in node.values[1:]:
            result = combine(result, truth(self._eval(value)))
        return result

    def _eval_compare(self, node: ast.Compare) -> Any:
        coded = self._coded_compare(node)
        if coded is not None:
            return coded
        left = self._eval(node.left)
        result: Any = True
        for operation, comparator in zip(node.ops, node.comparators, strict=True):
            right = self._eval(comparator)
            result = np.logical_and(result, self.operators[type(operation)](left, right))
            left = right
        return result

    def _coded_compare(self, node: ast.Compare) -> np.ndarray | None:
        """``record.field == 'text'`` (or ``!=``, ``in``/``not in`` a list of texts) over a text
        column that has integer codes: the same answer as comparing the texts, one integer
        comparison per row. None when the comparison is not of that form."""
        if len(node.ops) != 1 or not isinstance(node.left, ast.Attribute):
            return None
        operation, right = node.ops[0], node.comparators[0]
        wanted = _text_constants(right)
        if wanted is None or (isinstance(right, ast.Constant) != isinstance(operation, ast.Eq | ast.NotEq)):
            return None
        if not isinstance(operation, ast.Eq | ast.NotEq | ast.In | ast.NotIn):
            return None
        record = self.names.get(node.left.value.id)  # type: ignore[attr-defined]
        codes_of = getattr(record, "text_codes", None)
        coded = codes_of(node.left.attr) if codes_of is not None else None
        if coded is None:
            return None
        chosen = [coded.lookup[text] for text in wanted if text in coded.lookup]
        if len(chosen) == 1:
            found: np.ndarray = coded.codes == chosen[0]
        else:
            found = np.isin(coded.codes, np.array(chosen, dtype=coded.codes.dtype))
        return found if isinstance(operation, ast.Eq | ast.In) else ~found

    def _eval_ifexp(self, node: ast.IfExp) -> Any:
        return np.where(truth(self._eval(node.test)), self._eval(node.body), self._eval(node.orelse))

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        # The checker admitted only `record.field` for declared records.
        return self.names[node.value.id][node.attr]  # type: ignore[attr-defined]


def _text_constants(node: ast.AST) -> list[str] | None:
    """The texts of a quoted text or a list of quoted texts; None for anything else."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List) else [node]
    if not all(isinstance(item, ast.Constant) and isinstance(item.value, str) and not item.value.endswith("\x00")
               for item in items):  # numpy fixed-width text drops a trailing NUL: leave those to it
        return None
    return [item.value for item in items]  # type: ignore[attr-defined]


def _in_range(text: str, column: np.ndarray) -> np.ndarray:
    """The result, refused when a number in it is beyond what any score, count or amount can be:
    chained powers or products overflow to a huge or infinite float, which would otherwise score
    full marks (a capped rater) or rank first with no total."""
    if column.dtype.kind != "f":
        return column
    with np.errstate(invalid="ignore"):
        beyond = np.abs(column) > MAX_RESULT  # nan (missing) compares false
    if beyond.any():
        largest = float(np.max(np.abs(column[beyond])))
        raise ExpressionError("E-EXPR-OVERFLOW", {"expr": text, "count": int(beyond.sum()), "limit": f"{MAX_RESULT:.0e}",
                                                  "largest": "∞" if math.isinf(largest) else f"{largest:.3g}"})
    return column


def _as_column(value: Any, n: int) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        array = array.astype(float)
    if array.shape == (n,):
        return array
    if array.ndim == 0:
        return np.full(n, array.item(), dtype=array.dtype if array.dtype.kind != "U" else object)
    return np.broadcast_to(array, (n,)).copy()
