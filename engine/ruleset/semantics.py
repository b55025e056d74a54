"""Validation pass two and three: components' parameters, then meaning.

Checks run on the raw (located) data so they can report alongside schema
errors; each check tolerates shapes the schema already complained about
(``_tolerant``), so one mistake never hides another.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from kaohe.engine.components import Problem
from kaohe.engine.errors import Bilingual, Diagnostic, did_you_mean
from kaohe.engine.language import names
from kaohe.engine.language.compiled import ExpressionTable
from kaohe.engine.language.expressions import ExpressionError
from kaohe.engine.registry import KIND_TITLES, OUTCOME_KINDS, Registry
from kaohe.engine.ruleset import defaults
from kaohe.engine.ruleset.loader import Document, Path_
from kaohe.engine.ruleset.model import full_marks
from kaohe.engine.ruleset.schema import check_instance

OUTCOME_RESERVED = ("id", "title", "use", "periods", "clause", "note")


class Checker:
    """Collects diagnostics for one ruleset document."""

    def __init__(self, document: Document, registry: Registry, expressions: ExpressionTable | None = None):
        self.doc = document
        self.raw: dict[str, Any] = document.data if isinstance(document.data, dict) else {}
        self.registry = registry
        self.problems: list[Diagnostic] = []
        # the builder takes the expressions compiled here instead of parsing them again
        self.expressions = expressions if expressions is not None else ExpressionTable(registry.functions())
        self.declared = names.Declared.of(self.raw)

    def run(self) -> list[Diagnostic]:
        for check in (
            self.unique_ids, self.indicator_tree, self.classes, self.raters, self.rules,
            self.vetoes, self.grading, self.rollup, self.outcomes, self.data_tables, self.exclude,
            self.derived_inputs,
        ):
            _tolerant(check)()
        return self.problems

    def add(self, code: str, path: Path_, at_key: bool = False, **params: Any) -> None:
        diagnostic = self.doc.diagnostic(code, path, at_key=at_key, **params)
        if code.startswith("W-"):  # a warning: the ruleset loads, the office should look
            diagnostic = diagnostic.with_location(severity="warning")
        self.problems.append(diagnostic)

    def expression(self, text: Any, names_: Mapping[str, Any], path: Path_) -> None:
        try:
            self.expressions.compile(text, names_, path)
        except ExpressionError as exc:
            diagnostic = self.doc.diagnostic(exc.code, path, **{"position": exc.offset + 1, **exc.params})
            if diagnostic.column is not None:  # slips.refine then follows the text to the character
                diagnostic = diagnostic.with_location(column=diagnostic.column + exc.offset)
            self.problems.append(diagnostic)

    # -- ids and tree -------------------------------------------------------

    def indicators(self) -> Iterator[tuple[Path_, dict[str, Any]]]:
        def visit(items: Any, path: Path_) -> Iterator[tuple[Path_, dict[str, Any]]]:
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    yield (*path, i), item
                    yield from visit(item.get("children"), (*path, i, "children"))

        yield from visit(self.raw.get("indicators"), ("indicators",))

    def listed(self, key: str) -> Iterator[tuple[Path_, dict[str, Any]]]:
        items = self.raw.get(key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                yield (key, i), item

    def unique_ids(self) -> None:
        seen: dict[str, int] = {}
        groups = [self.indicators()] + [self.listed(k) for k in ("deductions", "bonuses", "vetoes", "outcomes")]
        for group in groups:
            for path, item in group:
                ident = item.get("id")
                if not isinstance(ident, str):
                    continue
                line = self.doc.locate((*path, "id"))[0] or 0
                if ident in seen:
                    self.add("E-ID-DUPLICATE", (*path, "id"), id=ident, first_line=seen[ident])
                else:
                    seen[ident] = line

    def indicator_ids(self) -> set[str]:
        return {str(item.get("id")) for _, item in self.indicators()}

    def indicator_tree(self) -> None:
        for path, item in self.indicators():
            has_children = bool(item.get("children"))
            if not has_children and "rater" not in item:
                self.add("E-LEAF-NO-RATER", path, id=item.get("id"))
            if has_children and "rater" in item:
                self.add("E-BRANCH-RATER", (*path, "rater"), at_key=True, id=item.get("id"))
        total = float(defaults.get(self.raw, "total_points"))
        if defaults.get(self.raw, "rescale_to_total"):
            pass  # the tree may add up to anything: subtotals are rescaled to total_points
        elif defaults.get(self.raw, "children_must_sum"):
            self.sums(self.raw.get("indicators"), ("indicators",), Bilingual("一级指标", "the top level"), total, True)
        else:
            self.total_scale(total)
        for path, item in self.indicators():
            if item.get("children") and item.get("children_must_sum", defaults.get(self.raw, "children_must_sum")):
                self.sums(item["children"], (*path, "children"), item.get("id"), None, True)

    def total_scale(self, total: float) -> None:
        """With the sums unchecked, a tree of 110 points on a 100 scale gives totals
        above 100 without anyone noticing: say so."""
        items = self.raw.get("indicators")
        periodic = [c for c in items if isinstance(c, dict) and c.get("cycle") != "year"] if isinstance(items, list) else []
        if not periodic or any("weight" in c for c in periodic):
            return
        values: list[float] = []
        for item in periodic:
            value = item.get("points")
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                return  # the schema pass reports a missing or negative points value
            values.append(float(value))
        actual = sum(values)
        if not math.isclose(actual, total, abs_tol=1e-9):
            self.add("W-TOTAL-POINTS", ("indicators",), actual=_num(actual), expected=_num(total))

    def sums(self, children: Any, path: Path_, parent: Any, full: float | None, must: bool) -> None:
        if not must or not isinstance(children, list):
            return
        periodic = [c for c in children if isinstance(c, dict) and c.get("cycle") != "year"]
        if any("applies_to" in c and not isinstance(c["applies_to"], list) for c in periodic):
            return  # the schema pass reports the malformed applies_to
        kinds = {("points" in c, "weight" in c) for c in periodic}
        if len(kinds) > 1:
            self.add("E-WEIGHT-MIXED", path, parent=parent)
            return
        uses_weight = any("weight" in c for c in periodic)
        expected = 100.0 if uses_weight else full
        if expected is None:
            parent_item = self.item_at(path[:-1])
            expected = float(parent_item["points"]) if "points" in parent_item else None
            if expected is None:
                expected = self.full_marks_of(path[:-1])
        classes = list((self.raw.get("subjects", {}) or {}).get("classes", {}) or {}) or [None]
        if any(name not in classes for c in periodic for name in c.get("applies_to") or ()):
            return  # a class that is not declared (or a slip, [a， b]) is reported apart; sums per class would mislead
        by_children: dict[tuple[int, ...], list[str | None]] = {}  # the children a class has -> those classes
        for cls in classes:
            chosen = tuple(i for i, c in enumerate(periodic) if cls is None
                           or not isinstance(c.get("applies_to"), list) or cls in c["applies_to"])
            by_children.setdefault(chosen, []).append(cls)
        for chosen, sharing in by_children.items():
            actual = sum(float(periodic[i].get("weight" if uses_weight else "points", 0)) for i in chosen)
            if chosen and not math.isclose(actual, expected, abs_tol=1e-9):
                # one message for classes with the same children (all of them, without applies_to)
                named = ", ".join(str(c) for c in sharing) if len(by_children) > 1 else ""
                fraction = uses_weight and math.isclose(actual, 1.0, abs_tol=1e-9)
                self.add("E-WEIGHT-SUM", path, parent=parent, actual=_num(actual), expected=_num(expected),
                         scope_zh=f"（类别 {named}）" if named else "", scope_en=f" (class {named})" if named else "",
                         hint=Bilingual("；weight 是占上级满分的百分比，0.4 请写 40", "; a weight is a percentage of "
                                        "the parent's full marks, write 40 for 0.4") if fraction else Bilingual("", ""))

    def item_at(self, path: Path_) -> dict[str, Any]:
        node: Any = self.raw
        for part in path:
            node = node[part]
        item: dict[str, Any] = node
        return item

    def full_marks_of(self, path: Path_) -> float:
        full = float(defaults.get(self.raw, "total_points"))
        node: Any = self.raw
        for i in range(0, len(path), 2):
            node = node[path[i]][path[i + 1]]
            full = full_marks(node.get("points"), node.get("weight"), full)
        return full

    def classes(self) -> None:
        declared_classes = (self.raw.get("subjects", {}) or {}).get("classes", {}) or {}
        for key, spec in declared_classes.items() if isinstance(declared_classes, dict) else ():
            if isinstance(spec, dict) and isinstance(spec.get("coefficient"), str):  # computed per subject
                self.expression(spec["coefficient"], names.coefficient_names(self.declared),
                                ("subjects", "classes", key, "coefficient"))
        known = list(declared_classes)
        items = [*self.indicators(), *self.listed("deductions"), *self.listed("bonuses"), *self.listed("vetoes")]
        for path, item in items:
            applies = item.get("applies_to")
            for j, cls in enumerate(applies if isinstance(applies, list) else []):
                if cls not in known:
                    self.add("E-CLASS-UNKNOWN", (*path, "applies_to", j), name=cls, suggest=did_you_mean(cls, known))

    # -- components ----------------------------------------------------------

    def component(self, kind: str | tuple[str, ...], mapping: dict[str, Any], path: Path_, name_key: str,
                  reserved: tuple[str, ...]) -> Any:
        kinds = (kind,) if isinstance(kind, str) else kind
        name = mapping.get(name_key)
        if not isinstance(name, str):
            return None
        found = self.registry.find(name, kinds)  # OUTCOME_KINDS: the lookup evaluation uses
        if found is None:
            available = sorted({n for k in kinds for n in self.registry.names(k)})
            named = "outcome" if kinds == OUTCOME_KINDS else kinds[0]  # allocators are outcomes too
            self.add("E-COMPONENT-UNKNOWN", (*path, name_key), name=name, kind=named,
                     kind_zh=KIND_TITLES[named], available=", ".join(available),
                     suggest=did_you_mean(name, available))
            return None
        found_kind, component = found
        params = {k: v for k, v in mapping.items() if k not in reserved}
        before = len(self.problems)
        self.problems.extend(check_instance(self.doc, params, component.params_schema, path))
        if len(self.problems) == before:
            fields = self.declared.item_columns if component.records(params) == "item" else self.declared.event_columns
            problems: list[Problem] = [*component.check(params), *component.check_references(
                params, self.declared.indicator_ids, fields)]
            self.problems.extend(self.component_problem(problem, path) for problem in problems)
        errors = [p for p in self.problems[before:] if p.severity == "error"]
        return None if errors else component

    def component_problem(self, problem: Problem, path: Path_) -> Diagnostic:
        """A component's own finding, located in the ruleset; ``W-`` codes are warnings."""
        params = {"position": problem.offset + 1, **problem.params} if problem.offset else problem.params
        diagnostic = self.doc.diagnostic(problem.code, (*path, *problem.path), **params)
        if problem.offset and diagnostic.column is not None:
            diagnostic = diagnostic.with_location(column=diagnostic.column + problem.offset)
        if problem.text:
            diagnostic = diagnostic.with_location(text=problem.text)
        if problem.code.startswith("W-"):
            diagnostic = diagnostic.with_location(severity="warning")
        return diagnostic

    def raters(self) -> None:
        declared = list(self.raw.get("inputs", {}) or {})
        scope = names.indicator_names(self.declared)
        for path, item in self.indicators():
            rater = item.get("rater")
            if not isinstance(rater, dict):
                continue
            component = self.component("rater", rater, (*path, "rater"), "use", ("use",))
            if component is None:
                continue
            params = {k: v for k, v in rater.items() if k != "use"}
            for name in component.inputs(params):
                if name not in declared:
                    key = next((k for k, v in params.items() if v == name), "")
                    self.add("E-INPUT-UNKNOWN", (*path, "rater", key), name=name, suggest=did_you_mean(name, declared))
            for key, text in component.expressions(params).items():
                self.expression(text, scope, (*path, "rater", key))
            for key, text in component.event_expressions(params).items():
                self.expression(text, names.event_names(self.declared), (*path, "rater", key))

    def rules(self) -> None:
        ids = self.indicator_ids()
        caps = self.raw.get("adjustment_caps")
        for key, value in (caps.items() if isinstance(caps, dict) else ()):
            if isinstance(value, str):  # a per-subject limit over all rules
                self.expression(value, names.rule_names(self.declared, "subject"), ("adjustment_caps", key))
        for kind in ("deductions", "bonuses"):
            for path, item in self.listed(kind):
                scope = names.rule_names(self.declared, defaults.get(item, f"{kind}[].per"))
                if "when" in item:
                    self.expression(item["when"], scope, (*path, "when"))
                if isinstance(item.get("points"), str):
                    self.expression(item["points"], scope, (*path, "points"))
                if "require" in item:
                    self.expression(item["require"], scope, (*path, "require"))
                for cap in ("cap", "cap_year", "cap_key", "cap_month"):  # a per-subject limit
                    if isinstance(item.get(cap), str):
                        self.expression(item[cap], names.rule_names(self.declared, "subject"), (*path, cap))
                target = item.get("target")
                if target is not None and kind == "bonuses":
                    self.add("E-TARGET-BONUS", (*path, "target"), at_key=True)
                elif target is not None and target not in ids:
                    self.add("E-REF-UNKNOWN", (*path, "target"), name=target, kind="indicator",
                             kind_zh="指标", suggest=did_you_mean(target, ids))
                self.rule_key(kind, path, item)
                if "cap_month" in item and defaults.get(item, f"{kind}[].per") != "event":
                    # months are the events' dates: a rule per subject or per item has none to cap by
                    self.add("E-RULE-CAP-MONTH-PER", (*path, "cap_month"), at_key=True,
                             per=defaults.get(item, f"{kind}[].per"))

    def rule_key(self, kind: str, path: Path_, item: dict[str, Any]) -> None:
        """``key`` names an event (or item) field, and only events and items can be counted per key."""
        key = item.get("key")
        if key is None:
            if "cap_key" in item:
                self.add("E-RULE-KEY-NEEDED", (*path, "cap_key"), at_key=True)
            return
        per = defaults.get(item, f"{kind}[].per")
        if per not in ("event", "item"):
            self.add("E-RULE-KEY-PER", (*path, "key"), at_key=True)
        fields = self.declared.item_columns if per == "item" else self.declared.event_columns
        if isinstance(key, str) and key not in fields:
            self.add("E-RULE-KEY-FIELD", (*path, "key"), name=key, available=", ".join(fields),
                     suggest=did_you_mean(key, fields))

    def grade_names(self) -> set[str]:
        grading = self.raw.get("grading") or {}
        scales = [grading.get("grades") or []] + list((grading.get("scales") or {}).values())
        return {str(g["grade"]) for scale in scales for g in scale if isinstance(g, dict) and "grade" in g}

    def vetoes(self) -> None:
        grades = self.grade_names()
        for path, item in self.listed("vetoes"):
            self.expression(item.get("when"), names.rule_names(self.declared, defaults.get(item, "vetoes[].per")),
                            (*path, "when"))
            for key in ("grade", "max_grade"):
                if key in item and item[key] not in grades:
                    self.add("E-GRADE-UNKNOWN", (*path, key), grade=item[key], suggest=did_you_mean(item[key], grades),
                             known="、".join(sorted(grades)) or "—")

    def grading(self) -> None:
        grading = self.raw.get("grading")
        if not isinstance(grading, dict):
            return
        scales: list[tuple[Path_, Any]] = [(("grading", "grades"), grading.get("grades"))]
        scales += [(("grading", "scales", k), v) for k, v in (grading.get("scales") or {}).items()]
        for path, grades in scales:
            if isinstance(grades, list):  # a malformed scale must not hide group_by or tie_break
                _tolerant(functools.partial(self.grade_list, grades, path))()
        keys = {"total", "subtotal", "id", "name", "unit", "class", "coefficient", "months_on_post"}
        keys |= self.indicator_ids() | set((self.raw.get("subjects", {}) or {}).get("fields", {}) or {})
        group_by = defaults.get(grading, "grading.group_by")
        groups = {"all", "class", "unit", *((self.raw.get("subjects", {}) or {}).get("fields", {}) or {})}
        if isinstance(group_by, str) and group_by not in groups:
            self.add("E-GROUP-BY", ("grading", "group_by"), key=group_by, suggest=did_you_mean(group_by, groups))
        keys.add("vetoed")
        for i, item in enumerate(grading.get("tie_break") or []):
            key = item if isinstance(item, str) else item.get("key")
            if isinstance(item, dict) and "expr" in item:
                self.expression(item["expr"], names.ranking_names(self.declared), ("grading", "tie_break", i, "expr"))
                continue
            if key not in keys:
                self.add("E-TIEBREAK-KEY", ("grading", "tie_break", i), key=key, suggest=did_you_mean(key, keys))

    def grade_list(self, grades: list[Any], path: Path_) -> None:
        previous = math.inf
        seen: dict[Any, int] = {}
        for i, grade in enumerate(grades):
            if not isinstance(grade, dict):
                continue  # the schema pass reports it
            here = (*path, i)
            name = grade.get("grade")
            if isinstance(name, str) and name in seen:  # quotas, factors and outcomes name grades
                self.add("E-GRADES-DUPLICATE", (*here, "grade"), grade=name, first=seen[name] + 1)
            elif isinstance(name, str):
                seen[name] = i
            last = i == len(grades) - 1
            minimum: Any = grade.get("min")
            numeric = isinstance(minimum, int | float) and not isinstance(minimum, bool)  # else a schema error
            if isinstance(minimum, str):
                self.expression(minimum, names.grading_names(self.declared), (*here, "min"))
            if "min" in grade:
                if last and len(grades) > 1:
                    self.add("E-GRADES-LAST", (*here, "min"), at_key=True)
                elif numeric and minimum >= previous:
                    self.add("E-GRADES-ORDER", (*here, "min"), grade=grade.get("grade"), min=minimum,
                             prev_min=_num(previous))
                if numeric:
                    previous = minimum
            quota = grade.get("quota") or {}
            share = quota.get("max_share")
            if isinstance(share, int | float) and not 0 < share <= 1:
                self.add("E-QUOTA-SHARE", (*here, "quota", "max_share"), actual=share)
            for key in ("max_share", "min_count", "max_count"):  # a size computed per subject (its group's)
                if isinstance(quota.get(key), str):
                    self.expression(quota[key], names.grading_names(self.declared), (*here, "quota", key))
            if "eligible" in grade:
                self.expression(grade["eligible"], names.grading_names(self.declared), (*here, "eligible"))
            within = (grade.get("across_groups") or {}).get("within")
            scopes = {"all", "class", "unit", *((self.raw.get("subjects", {}) or {}).get("fields", {}) or {})}
            if isinstance(within, str) and within not in scopes:
                self.add("E-ACROSS-WITHIN", (*here, "across_groups", "within"), key=within,
                         suggest=did_you_mean(within, scopes))

    def rollup(self) -> None:
        year = (self.raw.get("periods") or {}).get("year")
        if not isinstance(year, dict):
            return
        by_id = {item.get("id"): item for _, item in self.indicators()}
        total = float(defaults.get(year, "periods.year.weight"))
        for i, part in enumerate(year.get("annual") or []):
            ident = part.get("indicator")
            total += float(part.get("weight", 0))
            if ident not in by_id:
                self.add("E-REF-UNKNOWN", ("periods", "year", "annual", i, "indicator"), name=ident,
                         kind="indicator", kind_zh="指标", suggest=did_you_mean(ident, [k for k in by_id if k]))
            elif by_id[ident].get("cycle") != "year":
                self.add("E-PERIOD-ANNUAL", ("periods", "year", "annual", i, "indicator"), name=ident)
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            self.add("E-ROLLUP-WEIGHT", ("periods", "year"), actual=_num(total))

    def outcomes(self) -> None:
        earlier: list[str] = []
        references: list[tuple[Path_, str, str, str]] = []  # (where, outcome, parameter, id named)
        for path, item in self.listed("outcomes"):
            component = self.component(OUTCOME_KINDS, item, path, "use", OUTCOME_RESERVED)
            if component is not None:
                params = {k: v for k, v in item.items() if k not in OUTCOME_RESERVED}
                references += [((*path, key), str(item.get("id")), key, name)
                               for key, name in component.outcome_references(params).items()]
                scope = names.outcome_names(self.declared, earlier)
                for key, text in component.expressions(params).items():
                    self.expression(text, scope, (*path, key))
                records = names.item_names if component.records(params) == "item" else names.event_names
                for key, text in component.event_expressions(params).items():
                    self.expression(text, records(self.declared), (*path, key))
            if isinstance(item.get("id"), str):
                earlier.append(item["id"])
        for where, outcome, key, name in references:  # any outcome of the ruleset, before or after
            if name not in earlier:
                self.add("E-OUTCOME-REFERENCE", where, outcome=outcome, key=key, name=name,
                         suggest=did_you_mean(name, earlier))

    def data_tables(self) -> None:
        for table, spec in (self.raw.get("data") or {}).items():
            if isinstance(spec, dict):
                self.component("data_source", spec, ("data", table), "source", ("source",))

    def derived_inputs(self) -> None:
        for name, spec in (self.raw.get("inputs") or {}).items():
            for records, scope in (("from_events", names.event_names), ("from_items", names.item_names)):
                source = spec.get(records) if isinstance(spec, dict) else None
                if not isinstance(source, dict):
                    continue
                for key in ("when", "value"):
                    if key in source:
                        self.expression(source[key], scope(self.declared), ("inputs", name, records, key))
                how = defaults.get(source, f"inputs.*.{records}.how")
                if how != "count" and "value" not in source:
                    self.add("E-INPUT-FROM-EVENTS-VALUE", ("inputs", name, records), at_key=True, name=name,
                             how=how)

    def exclude(self) -> None:
        text = (self.raw.get("subjects") or {}).get("exclude")
        if text is not None:
            self.expression(text, names.subject_names(self.declared), ("subjects", "exclude"))


def _tolerant(check: Callable[[], None]) -> Callable[[], None]:
    """Run a check; a shape error means the schema pass has already spoken."""

    @functools.wraps(check)
    def run() -> None:
        with contextlib.suppress(KeyError, TypeError, AttributeError, ValueError, IndexError):
            check()

    return run


def _num(value: float) -> str:
    return f"{value:g}"
