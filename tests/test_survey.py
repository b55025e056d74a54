"""The survey rater: weighted rater groups, votes, trimming, minimum raters
and missing groups, on hand-checked rating rows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kaohe.engine.components import Problem, RaterContext, RatingRows
from kaohe.engine.errors import KaoheError
from kaohe.plugins.survey import SurveyRater

NAN = math.nan
VOTES = {"好": 100, "较好": 80, "一般": 60, "较差": 40}
GROUPS = {
    "leader": {"weight": 0.4, "title": "区领导"},
    "peer": {"weight": 0.3, "title": "部门互评"},
    "public": {"weight": 0.3, "title": "服务对象"},
}


def rows(*items):
    """Rating rows from (subject, group, score_or_vote) tuples; raters numbered."""
    subject = np.array([i[0] for i in items], dtype=np.int64)
    group = np.array([i[1] for i in items], dtype=object)
    score = np.array([i[2] if not isinstance(i[2], str) else NAN for i in items], dtype=float)
    vote = np.array([i[2] if isinstance(i[2], str) else None for i in items], dtype=object)
    rater = np.array([f"r{k}" for k in range(len(items))], dtype=object)
    return RatingRows(subject=subject, group=group, rater=rater, score=score, vote=vote)


def make_ctx(ratings, n, full=20.0, indicator="democratic"):
    return RaterContext(
        indicator=indicator, period="2025Q1", full_marks=full, n=n, mask=np.ones(n, dtype=bool),
        groups=np.zeros(n, dtype=np.int64), values=lambda name: np.full(n, NAN),
        evaluate=lambda text: np.full(n, NAN), ratings=ratings,
    )


def score(params, ratings, n, full=20.0):
    return SurveyRater().score(params, make_ctx(ratings, n, full))


def close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), atol=1e-9, equal_nan=True)


EXAMPLE = rows(
    (0, "leader", "好"), (0, "leader", "好"),
    (0, "peer", "好"), (0, "peer", "好"), (0, "peer", "较好"), (0, "peer", "较好"), (0, "peer", "一般"), (0, "peer", "较差"),
    (0, "public", "较好"), (0, "public", "较好"), (0, "public", "较好"), (0, "public", "较好"),
    (1, "leader", "一般"), (1, "leader", "一般"),
    (2, "leader", "较差"), (2, "public", "好"), (2, "public", "好"),
)
EXAMPLE_PARAMS = {"groups": GROUPS, "votes": VOTES, "trim": {"above": 5, "drop": 1}, "min_raters": 2}


def test_example_ruleset_case():
    result = score(EXAMPLE_PARAMS, EXAMPLE, n=4)
    # S1: leader 100; peer 6 raters → drop 100 and 40 → (100+80+80+60)/4 = 80; public 80
    #     0.4×100 + 0.3×80 + 0.3×80 = 88 → 20 × 88/100 = 17.6
    # S2: only leader 60 → renormalised → 60 → 12
    # S3: leader has 1 rater (< 2) → missing; public 100 → 20
    # S4: no ratings at all → missing
    close(result.points, [17.6, 12, 20, NAN])
    close(result.details["mean:leader"], [100, 60, NAN, NAN])
    close(result.details["mean:peer"], [80, NAN, NAN, NAN])
    close(result.details["mean:public"], [80, NAN, 100, NAN])
    close(result.details["raters"], [12, 2, 3, 0])


def test_no_trim_when_not_more_than_above():
    ratings = rows(*[(0, "g", s) for s in (100, 90, 80, 70, 10)])
    params = {"groups": {"g": {"weight": 1}}, "trim": {"above": 5, "drop": 1}}
    # exactly 5 raters is not MORE than 5: plain mean (100+90+80+70+10)/5 = 70 → 20 × 0.7 = 14
    close(score(params, ratings, n=1).points, [14])
    ratings = rows(*[(0, "g", s) for s in (100, 90, 80, 70, 10, 60)])
    # 6 raters: drop 100 and 10 → (90+80+70+60)/4 = 75 → 15
    close(score(params, ratings, n=1).points, [15])


def test_trim_drop_two_and_subjects_interleaved():
    ratings = rows(
        (1, "g", 50), (0, "g", 1), (1, "g", 50), (0, "g", 99), (0, "g", 2), (0, "g", 98), (0, "g", 50),
        (0, "g", 60), (0, "g", 40),
    )
    params = {"groups": {"g": {"weight": 1}}, "trim": {"above": 5, "drop": 2}, "scale": 100}
    # subject 0: 7 raters → drop 1, 2 and 98, 99 → (40+50+60)/3 = 50 → 10; subject 1: 2 raters → 50 → 10
    close(score(params, ratings, n=2).points, [10, 10])


def test_missing_group_policies():
    ratings = rows((0, "leader", 50), (0, "peer", 100), (1, "leader", 80), (1, "peer", 60), (1, "public", 40))
    base = {"groups": GROUPS}
    # subject 0 lacks public: renormalise (0.4×50 + 0.3×100)/0.7 = 50/0.7 = 71.428…
    # subject 1 complete: 0.4×80 + 0.3×60 + 0.3×40 = 62 → 12.4
    close(score(base, ratings, n=2).points, [20 * 50 / 0.7 / 100, 12.4])
    # zero: 0.4×50 + 0.3×100 + 0 = 50 → 10
    close(score({**base, "missing_group": "zero"}, ratings, n=2).points, [10, 12.4])
    # missing: any group absent → the indicator is missing for that subject
    close(score({**base, "missing_group": "missing"}, ratings, n=2).points, [NAN, 12.4])


def test_min_raters_and_scale():
    ratings = rows((0, "a", 4), (0, "a", 5), (0, "b", 3), (1, "a", 5), (1, "a", 5), (1, "b", 1), (1, "b", 2))
    params = {"groups": {"a": {"weight": 0.5}, "b": {"weight": 0.5}}, "min_raters": 2, "scale": 5}
    # subject 0: a = 4.5, b has 1 rater → missing → renormalised 4.5 → 10 × 4.5/5 = 9
    # subject 1: a = 5, b = 1.5 → 3.25 → 6.5
    close(score(params, ratings, n=2, full=10).points, [9, 6.5])


def test_rows_of_other_groups_are_ignored_and_scores_mix_with_votes():
    ratings = rows((0, "leader", "好"), (0, "leader", 70), (0, "other", "不存在的票"), (0, "other", 0))
    params = {"groups": {"leader": {"weight": 1}}, "votes": VOTES}
    # (100 + 70) / 2 = 85 → 17; the "other" rows belong to another indicator
    result = score(params, ratings, n=1)
    close(result.points, [17])
    close(result.details["raters"], [2])


def test_unknown_vote_names_label_and_allowed():
    ratings = rows((0, "leader", "很好"), (0, "leader", "好"))
    with pytest.raises(KaoheError) as caught:
        score({"groups": {"leader": {"weight": 1}}, "votes": VOTES}, ratings, n=1)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.code == "E-RATING-VOTE"
    assert diagnostic.params["label"] == "很好"
    assert diagnostic.params["allowed"] == "好、较好、一般、较差"
    assert diagnostic.params["indicator"] == "democratic"
    assert "很好" in diagnostic.message("zh") and "较差" in diagnostic.message("en")


def test_votes_without_a_votes_map():
    with pytest.raises(KaoheError) as caught:
        score({"groups": {"leader": {"weight": 1}}}, rows((0, "leader", "好")), n=1)
    assert caught.value.diagnostics[0].code == "E-RATING-NO-VOTES"


def test_no_ratings_at_all_is_missing():
    result = score({"groups": GROUPS, "votes": VOTES}, RatingRows.empty(), n=3)
    close(result.points, [NAN, NAN, NAN])
    close(result.details["raters"], [0, 0, 0])


def test_check_weights_and_trim():
    rater = SurveyRater()
    assert rater.check(EXAMPLE_PARAMS) == []
    # 0.1 + 0.2 + 0.7 is 0.9999999999999999: within tolerance
    thirds = {"a": {"weight": 0.1}, "b": {"weight": 0.2}, "c": {"weight": 0.7}}
    assert rater.check({"groups": thirds}) == []
    [problem] = rater.check({"groups": {"a": {"weight": 0.5}, "b": {"weight": 0.4}}})
    assert problem.code == "E-RATER-SURVEY-WEIGHTS" and problem.path == ("groups",)
    assert problem.params["total"] == 0.9
    assert rater.check({"groups": {"a": {"weight": 1}}, "trim": {"above": 1, "drop": 1}}) == [
        Problem("E-RATER-SURVEY-TRIM", {"above": 1, "drop": 1}, ("trim",)),
    ]
    assert rater.inputs(EXAMPLE_PARAMS) == []
