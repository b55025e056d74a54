"""The expression language of rulesets: parsed once at load time against a
whitelist (``expressions``), the names each kind of expression may use
(``names``), every expression of a ruleset compiled once (``compiled``), the
one truth function every condition goes through (``truth``), the one
competition ranking (``ranking``) and the cohort statistics expressions can
call (``cohort``). Pure column arithmetic: depends only on
``kaohe.engine.errors``."""
