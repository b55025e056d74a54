"""Ruleset test cases (``cases``: inline data, hand-calculated expectations)
and the pytest plugin that collects ``rulesets/*/tests/*.yaml``."""
