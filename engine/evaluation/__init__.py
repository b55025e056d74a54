"""Evaluating a compiled ruleset on a dataset, one period at a time:
``cohort`` (subject columns) → ``derived`` (inputs from events) → ``scoring``
(raters, missing data, roll-up) → ``adjust`` (bonuses, deductions, caps,
vetoes) → ``rounding`` → ``grading`` (ranks, grades, quotas) → ``outcomes``
(result-use, with exact ``money``). ``pipeline`` runs the stages and the year
roll-up; ``runner`` joins a ruleset path and a data folder to a pipeline run."""
