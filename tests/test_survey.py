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


# ---------------------------------------------------------------------------
# per-group settings, trimming by share, abstentions, normalisation per rater:
# the worked examples of docs/ruleset-format.md (survey), by hand


def rated(*items):
    """Rating rows from (subject, group, rater, score_or_vote) tuples."""
    subject = np.array([i[0] for i in items], dtype=np.int64)
    group = np.array([i[1] for i in items], dtype=object)
    rater = np.array([i[2] for i in items], dtype=object)
    score = np.array([i[3] if not isinstance(i[3], str) else NAN for i in items], dtype=float)
    vote = np.array([i[3] if isinstance(i[3], str) else None for i in items], dtype=object)
    return RatingRows(subject=subject, group=group, rater=rater, score=score, vote=vote)


def masked(params, ratings, n, full, mask):
    ctx = make_ctx(ratings, n, full)
    ctx.mask = np.asarray(mask, dtype=bool)
    return SurveyRater().score(params, ctx)


GROUP_MINIMUM = {"groups": {"leader": {"weight": 0.5, "title": "分管领导", "min_raters": 3},
                            "public": {"weight": 0.5, "title": "服务对象"}}}


def test_doc_example_group_minimum_drops_the_group_and_notes_it():
    ratings = rows(
        (0, "leader", 90), (0, "leader", 80), (0, "public", 70), (0, "public", 80),
        (1, "leader", 90), (1, "leader", 80), (1, "leader", 70), (1, "public", 60),
        (2, "leader", 90),
    )
    result = score(GROUP_MINIMUM, ratings, n=3, full=10)
    # S1: leader 2 < 3 → dropped; public 75 → renormalised → 7.5
    # S2: 0.5 × 80 + 0.5 × 60 = 70 → 7; S3: its only group dropped → missing
    close(result.points, [7.5, 7, NAN])
    assert result.details["dropped"].tolist() == ["leader", None, "leader"]
    close(result.details["mean:leader"], [NAN, 80, NAN])
    close(result.details["raters"], [4, 4, 1])


def test_dropped_lists_every_dropped_group_and_is_absent_when_none_is():
    params = {"groups": {"a": {"weight": 0.5}, "b": {"weight": 0.5}}, "min_raters": 2}
    result = score(params, rows((0, "a", 50), (0, "b", 60), (1, "a", 70), (1, "a", 90)), n=2)
    assert result.details["dropped"].tolist() == ["a、b", None]
    close(result.points, [NAN, 16])
    result = score(params, rows((0, "a", 50), (0, "a", 60)), n=2)
    assert "dropped" not in result.details  # no subject lost a group: no extra column


def test_group_minimum_overrides_the_default_either_way():
    params = {"groups": {"a": {"weight": 0.5, "min_raters": 1}, "b": {"weight": 0.5}}, "min_raters": 3}
    result = score(params, rows((0, "a", 50), (0, "b", 60), (0, "b", 80), (0, "b", 100)), n=1)
    close(result.points, [20 * (0.5 * 50 + 0.5 * 80) / 100])  # a: 1 rater is enough for a; b: 3 raters


def test_dropped_group_follows_missing_group():
    ratings = rows((0, "leader", 90), (0, "public", 70))
    # zero: the dropped leader group counts 0 → 0.5 × 70 = 35 → 3.5; missing: the whole indicator is missing
    close(score({**GROUP_MINIMUM, "missing_group": "zero"}, ratings, n=1, full=10).points, [3.5])
    close(score({**GROUP_MINIMUM, "missing_group": "missing"}, ratings, n=1, full=10).points, [NAN])


SHARE_TRIM = {"groups": {"public": {"weight": 0.6, "title": "服务对象"},
                         "leader": {"weight": 0.4, "title": "分管领导", "trim": False}},
              "trim": {"share": 0.1}}
SHARE_RATINGS = rows(
    *[(0, "public", s) for s in (100, 95, 90, 90, 85, 85, 80, 80, 75, 20)],
    *[(0, "leader", s) for s in (100, 90, 90, 90, 90, 90, 90, 90, 90, 30)],
    *[(1, "public", s) for s in (90, 90, 90, 90, 90, 90, 90, 90, 0)],
    (1, "leader", 70), (1, "leader", 90),
)


def test_doc_example_trim_by_share_and_a_group_without_trimming():
    result = score(SHARE_TRIM, SHARE_RATINGS, n=2)
    # S1: public 10 × 0.1 = 1 → drop 100 and 20 → 680 / 8 = 85; leader untrimmed 850 / 10 = 85 → 85 → 17
    # S2: public 9 × 0.1 = 0.9 → 0 dropped → 720 / 9 = 80; leader 80 → 80 → 16
    close(result.points, [17, 16])
    close(result.details["mean:public"], [85, 80])
    close(result.details["mean:leader"], [85, 80])
    # had the leader group been trimmed too: (90 × 8) / 8 = 90 → 0.6 × 85 + 0.4 × 90 = 87 → 17.4
    plain = {**SHARE_TRIM, "groups": {**SHARE_TRIM["groups"], "leader": {"weight": 0.4}}}
    close(score(plain, SHARE_RATINGS, n=2).points[:1], [17.4])


def test_share_trim_is_exact_and_respects_above():
    # 0.29 × 100 is 28.999999999999996 in floats; exactly 29 → 29 dropped at each end, 42 left
    ratings = rows(*[(0, "g", s) for s in range(100)])
    result = score({"groups": {"g": {"weight": 1}}, "trim": {"share": 0.29}}, ratings, n=1)
    close(result.points, [20 * np.mean(np.arange(29, 71)) / 100])
    # 30 raters × 0.1 = 3 exactly (not 2.999…): 3 dropped each end
    ratings = rows(*[(0, "g", s) for s in range(30)])
    close(score({"groups": {"g": {"weight": 1}}, "trim": {"share": 0.1}}, ratings, n=1).points,
          [20 * np.mean(np.arange(3, 27)) / 100])
    # with above: 10 raters is not more than 10 → untrimmed
    ratings = rows(*[(0, "g", s) for s in (0, *[50] * 8, 100)])
    close(score({"groups": {"g": {"weight": 1}}, "trim": {"share": 0.1, "above": 10}}, ratings, n=1).points, [10])


def test_group_trim_by_count_beside_a_default_by_share_and_ties():
    params = {"groups": {"a": {"weight": 0.5, "trim": {"above": 2, "drop": 1}}, "b": {"weight": 0.5}},
              "trim": {"share": 0.25}}
    ratings = rows((0, "a", 10), (0, "a", 50), (0, "a", 50), (0, "a", 90),
                   (0, "b", 70), (0, "b", 70), (0, "b", 70), (0, "b", 10))
    # a: drop one each end → 50; b: 4 × 0.25 = 1 each end, ties at the top drop one 70 → (70 + 70) / 2 = 70
    result = score(params, ratings, n=1)
    close(result.details["mean:a"], [50])
    close(result.details["mean:b"], [70])
    close(result.points, [12])


ABSTAIN = {"groups": {"public": {"weight": 1, "title": "群众"}}, "votes": {"好": 100, "较好": 80, "一般": 60},
           "abstain": "弃权", "min_raters": 3}


def test_doc_example_abstentions_are_not_counted():
    ratings = rows((0, "public", "好"), (0, "public", "好"), (0, "public", "一般"), (0, "public", "弃权"),
                   (1, "public", "好"), (1, "public", "较好"), (1, "public", "弃权"))
    result = score(ABSTAIN, ratings, n=2)
    # S1: (100 + 100 + 60) / 3 = 86.67 → 17.33 (not 260 / 4 = 65 → 13)
    # S2: 2 raters besides the abstention, fewer than 3 → dropped → missing
    close(result.points, [20 * 260 / 3 / 100, NAN])
    close(result.details["raters"], [3, 2])
    close(result.details["abstained"], [1, 1])
    assert result.details["dropped"].tolist() == [None, "public"]


def test_abstain_list_scores_win_and_other_indicators_rows():
    params = {"groups": {"g": {"weight": 1}}, "abstain": ["弃权", " 不了解 "]}
    ratings = rated((0, "g", "r1", 80), (0, "g", "r2", "不了解"), (0, "g", "r3", "弃权"),
                    (0, "other", "r4", "弃权"), (1, "g", "r1", "弃权"))
    ratings.vote[0] = "弃权"  # a score with the abstain vote: the score counts
    result = score(params, ratings, n=2)
    close(result.points, [16, NAN])  # subject 2 only abstained → no rating → missing
    close(result.details["abstained"], [2, 1])  # the "other" group's row is not this indicator's
    close(result.details["raters"], [1, 0])
    assert "dropped" not in result.details


def test_abstention_without_abstain_is_an_unknown_vote():
    with pytest.raises(KaoheError) as caught:
        score({"groups": {"g": {"weight": 1}}, "votes": VOTES}, rows((0, "g", "弃权")), n=1)
    assert caught.value.diagnostics[0].code == "E-RATING-VOTE"
    assert "abstained" not in score({"groups": {"g": {"weight": 1}}}, rows((0, "g", 50)), n=1).details


NORMALISE_RATINGS = rated((0, "peer", "A", 95), (1, "peer", "A", 85), (1, "peer", "B", 65), (2, "peer", "B", 75))
PEER = {"groups": {"peer": {"weight": 1}}}


def test_doc_example_normalise_per_rater():
    # raw: S1 95 → 9.5; S2 (85 + 65) / 2 = 75 → 7.5; S3 75 → 7.5
    close(score(PEER, NORMALISE_RATINGS, n=3, full=10).points, [9.5, 7.5, 7.5])
    # mean: overall mean 80; A's mean 90 → −10, B's 70 → +10: S1 85, S2 75, S3 85
    close(score({**PEER, "normalise": "mean"}, NORMALISE_RATINGS, n=3, full=10).points, [8.5, 7.5, 8.5])
    # zscore: M 80, S √125 = 11.18; each rater's sd 5 → z ±1: S1 91.18, S2 68.82, S3 91.18
    spread = math.sqrt(125)
    result = score({**PEER, "normalise": "zscore"}, NORMALISE_RATINGS, n=3, full=10)
    close(result.points, [(80 + spread) / 10, (80 - spread) / 10, (80 + spread) / 10])
    close(result.details["mean:peer"], [80 + spread, 80 - spread, 80 + spread])
    assert not result.capped.any()


def test_normalise_with_one_rater_changes_nothing():
    ratings = rated((0, "g", "A", 90), (1, "g", "A", 70), (2, "g", "A", 50))
    for method in ("mean", "zscore"):
        close(score({"groups": {"g": {"weight": 1}}, "normalise": method}, ratings, n=3).points, [18, 14, 10])


def test_normalise_a_rater_with_equal_scores_gives_the_overall_mean():
    ratings = rated((0, "g", "A", 90), (1, "g", "A", 90), (0, "g", "B", 40), (1, "g", "B", 80))
    # M = 300 / 4 = 75; A has no spread → both 75; B: z −1, +1 → 75 ∓ S,
    # S = √((15² + 15² + 35² + 5²) / 4) = √425 = 20.62
    spread = math.sqrt(425)
    result = score({"groups": {"g": {"weight": 1}}, "normalise": "zscore"}, ratings, n=2, full=100)
    close(result.points, [(75 + 75 - spread) / 2, (75 + 75 + spread) / 2])
    # a rater of a single subject has no spread either
    ratings = rated((0, "g", "A", 100), (1, "g", "B", 40), (2, "g", "B", 60))
    result = score({"groups": {"g": {"weight": 1}}, "normalise": "zscore"}, ratings, n=3, full=100)
    # M = 200 / 3 = 66.67, S = √((33.33² + 26.67² + 6.67²) / 3) = √622.2 = 24.94; B: z −1, +1
    spread = math.sqrt(((100 - 200 / 3) ** 2 + (40 - 200 / 3) ** 2 + (60 - 200 / 3) ** 2) / 3)
    close(result.points, [200 / 3, 200 / 3 - spread, 200 / 3 + spread])


def test_normalised_scores_inside_the_scale_are_not_capped():
    # mean: A 100, 90 (mean 95); B 0, 10 (mean 5); M = 50 → A −45: 55, 45; B +45: 45, 55
    ratings = rated((0, "g", "A", 100), (1, "g", "A", 90), (0, "g", "B", 0), (1, "g", "B", 10))
    result = score({"groups": {"g": {"weight": 1}}, "normalise": "mean"}, ratings, n=2, full=100)
    close(result.points, [50, 50])
    assert not result.capped.any()
    # mean: 100, 20, 50, 50, 52 → M = 272 / 5 = 54.4; C's mean 60 → −5.6: 94.4, 14.4;
    # D's 50 → +4.4: 54.4, 54.4; E's one rating 52 → 54.4
    ratings = rated((0, "g", "C", 100), (1, "g", "C", 20), (1, "g", "D", 50), (2, "g", "D", 50), (2, "g", "E", 52))
    result = score({"groups": {"g": {"weight": 1}}, "normalise": "mean"}, ratings, n=3, full=100)
    close(result.points, [94.4, (14.4 + 54.4) / 2, 54.4])
    # zscore: C 100, 90; D 10, 0 → M 50, S = √((50² + 40² + 40² + 50²) / 4) = √2050 = 45.28;
    # C: +1 → 95.28 (S1), −1 → 4.72 (S2); D: +1 → 95.28 (S2), −1 → 4.72 (S3)
    ratings = rated((0, "g", "C", 100), (1, "g", "C", 90), (1, "g", "D", 10), (2, "g", "D", 0))
    result = score({"groups": {"g": {"weight": 1}}, "normalise": "zscore"}, ratings, n=3, full=100)
    spread = math.sqrt(2050)
    close(result.points, [50 + spread, 50, 50 - spread])
    assert not result.capped.any()


def test_normalise_clips_to_the_scale():
    # A is harsh except once: 100 for S1, 0 for S2, 0 for S3; B gives S1 100
    ratings = rated((0, "g", "A", 100), (1, "g", "A", 0), (2, "g", "A", 0), (0, "g", "B", 100))
    # M = 50; A's mean 33.33 → +16.67: S1 116.67 → clipped to 100; B 100 → +(50 − 100) = 50
    result = score({"groups": {"g": {"weight": 1}}, "normalise": "mean"}, ratings, n=3, full=100)
    close(result.points, [(100 + 50) / 2, 50 / 3, 50 / 3])
    assert result.capped.tolist() == [True, False, False]


def test_normalise_treats_the_same_number_in_two_groups_as_two_raters():
    ratings = rated((0, "a", "1", 90), (1, "a", "1", 70), (0, "b", "1", 50), (1, "b", "1", 50))
    params = {"groups": {"a": {"weight": 0.5}, "b": {"weight": 0.5}}, "normalise": "mean"}
    # a/1: mean 80; b/1: mean 50; M = 65 → a: 75, 55; b: 65, 65
    # (taken as one rater "1" with mean 65 nothing would move: a 90, 70; b 50, 50)
    result = score(params, ratings, n=2, full=100)
    close(result.details["mean:a"], [75, 55])
    close(result.details["mean:b"], [65, 65])


def test_normalise_statistics_use_ranked_subjects_only():
    # subject 3 is excluded: its 0 from B does not make B look harsh
    ratings = rated((0, "g", "A", 80), (1, "g", "A", 60), (0, "g", "B", 80), (1, "g", "B", 60), (2, "g", "B", 0))
    result = masked({"groups": {"g": {"weight": 1}}, "normalise": "mean"}, ratings, n=3, full=100, mask=[True, True, False])
    close(result.points[:2], [80, 60])


def test_normalise_then_trim_on_the_normalised_scores():
    # one rater per subject pair; after the mean shift the trimmed extremes are the normalised ones
    ratings = rated((0, "g", "A", 100), (1, "g", "A", 80), (0, "g", "B", 60), (1, "g", "B", 40),
                    (0, "g", "C", 70), (1, "g", "C", 70))
    params = {"groups": {"g": {"weight": 1}}, "normalise": "mean", "trim": {"above": 2, "drop": 1}}
    # M = 70; A 90 → −20: 80, 60; B 50 → +20: 80, 60; C 70: 70, 70 → S1 80, 80, 70 → drop 70 and one 80 → 80
    result = score(params, ratings, n=2, full=100)
    close(result.points, [80, 60])


def test_all_groups_dropped_one_rater_and_nothing_rated():
    params = {"groups": {"a": {"weight": 0.5}, "b": {"weight": 0.5}}, "min_raters": 2, "normalise": "zscore",
              "abstain": "弃权", "trim": {"share": 0.2}}
    result = score(params, rated((0, "a", "x", 90), (0, "b", "y", 80), (1, "a", "x", "弃权")), n=3)
    close(result.points, [NAN, NAN, NAN])
    assert result.details["dropped"].tolist() == ["a、b", None, None]
    close(result.details["abstained"], [0, 1, 0])
    empty = score(params, RatingRows.empty(), n=2)
    close(empty.points, [NAN, NAN])
    assert "dropped" not in empty.details and not empty.capped.any()


def test_check_group_trims_and_abstain_labels():
    rater = SurveyRater()
    assert rater.check(SHARE_TRIM) == []
    assert rater.check(ABSTAIN) == []
    groups = {"a": {"weight": 1, "trim": {"drop": 2}}}
    assert rater.check({"groups": groups}) == [Problem("E-SCHEMA-REQUIRED", {"key": "above"}, ("groups", "a", "trim"))]
    groups = {"a": {"weight": 1, "trim": {"drop": 2, "above": 3}}}
    assert rater.check({"groups": groups}) == [
        Problem("E-RATER-SURVEY-TRIM", {"above": 3, "drop": 2}, ("groups", "a", "trim")),
    ]
    assert rater.check({"groups": {"a": {"weight": 1}}, "trim": {"drop": 1}}) == [
        Problem("E-SCHEMA-REQUIRED", {"key": "above"}, ("trim",)),
    ]
    both = {"groups": {"a": {"weight": 1}}, "votes": VOTES, "abstain": ["不了解", "一般"]}
    assert rater.check(both) == [Problem("E-RATER-SURVEY-ABSTAIN-VOTE", {"label": "一般", "score": 60}, ("abstain", 1))]
    assert rater.check({**both, "abstain": "好"}) == [
        Problem("E-RATER-SURVEY-ABSTAIN-VOTE", {"label": "好", "score": 100}, ("abstain",)),
    ]


def test_schema_of_the_new_options():
    import jsonschema

    schema = jsonschema.Draft202012Validator(SurveyRater.params_schema)
    one = {"a": {"weight": 1}}
    assert schema.is_valid({"groups": one, "trim": {"share": 0.1}})
    assert schema.is_valid({"groups": one, "trim": {"share": 0.1, "above": 5}})
    assert schema.is_valid({"groups": {"a": {"weight": 1, "trim": False, "min_raters": 2}}, "trim": {"above": 5, "drop": 1}})
    assert schema.is_valid({"groups": {"a": {"weight": 1, "trim": {"share": 0.2}}}})
    assert schema.is_valid({"groups": one, "abstain": ["弃权"], "normalise": "zscore"})
    assert not schema.is_valid({"groups": one, "trim": {"share": 0.1, "drop": 1, "above": 5}})
    assert not schema.is_valid({"groups": one, "trim": {"share": 0.5}})
    assert not schema.is_valid({"groups": one, "trim": {"above": 5}})
    assert not schema.is_valid({"groups": {"a": {"weight": 1, "trim": True}}})
    assert not schema.is_valid({"groups": {"a": {"weight": 1, "min_raters": 0}}})
    assert not schema.is_valid({"groups": one, "normalise": "rank"})
    assert not schema.is_valid({"groups": one, "abstain": []})
    assert not schema.is_valid({"groups": one, "trim": False})  # only a group may switch trimming off


SURVEY_RULESET = """\
kaohe: 1
id: survey-options
title: 测评选项
year: 2025
total_points: 20
subjects: {kind: unit}
periods: {cycle: year}
indicators:
  - id: democratic
    title: 民主测评
    points: 20
    rater:
      use: survey
      groups:
        public: {weight: 1, title: 群众, RULE}
      votes: {好: 100, 较好: 80, 一般: 60}
      abstain: 弃权
      min_raters: 3
"""


def _survey_ruleset(tmp_path, group_extra="min_raters: 3"):
    from kaohe.engine.ruleset.load import load_ruleset

    file = tmp_path / "survey.yaml"
    file.write_text(SURVEY_RULESET.replace("RULE", group_extra), encoding="utf-8")
    return load_ruleset(file)


def test_abstentions_and_dropped_groups_reach_the_results(tmp_path):
    from kaohe.engine.evaluation.pipeline import evaluate
    from kaohe.engine.evaluation.runner import inline_dataset
    from kaohe.engine.registry import default_registry
    from kaohe.engine.report.results import build_document

    ruleset = _survey_ruleset(tmp_path)
    votes = {"S1": ["好", "好", "一般", "弃权"], "S2": ["好", "较好", "弃权"]}
    data = {
        "subjects": [{"id": s, "name": s} for s in votes],
        "ratings": [{"subject": s, "period": "2025", "group": "public", "rater": f"r{i}", "vote": v}
                    for s, vs in votes.items() for i, v in enumerate(vs)],
    }
    document = build_document(evaluate(ruleset, inline_dataset(ruleset, data, "inline"), default_registry()))
    subjects = {s["id"]: s["indicators"]["democratic"] for s in document["periods"][-1]["subjects"]}
    assert subjects["S1"]["score"] == pytest.approx(17.333333)
    assert subjects["S1"]["detail"] == {"mean:public": pytest.approx(86.666667), "raters": 3, "abstained": 1, "dropped": None}
    # S2: 2 raters besides the abstention → dropped → missing → the default missing: zero
    assert subjects["S2"]["status"] == "missing_zero" and subjects["S2"]["score"] == 0
    assert subjects["S2"]["detail"]["dropped"] == "public"


def test_group_options_are_checked_with_locations(tmp_path):
    with pytest.raises(KaoheError) as caught:
        _survey_ruleset(tmp_path, "trim: {drop: 2, above: 3}")
    [problem] = caught.value.diagnostics
    assert problem.code == "E-RATER-SURVEY-TRIM" and problem.path == "$.indicators[0].rater.groups.public.trim"
    assert problem.line == 15
    with pytest.raises(KaoheError) as caught:
        _survey_ruleset(tmp_path, "trim: true")
    assert caught.value.diagnostics[0].path == "$.indicators[0].rater.groups.public.trim"
    assert _survey_ruleset(tmp_path, "trim: false").by_id["democratic"].rater is not None
