"""The expression language of rulesets: parsed once at load time against a
whitelist (``expressions``), the names each kind of expression may use
(``names``), and the one truth function every condition goes through
(``truth``). Depends only on ``kaohe.engine.errors``."""
