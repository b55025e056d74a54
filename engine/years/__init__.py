"""Methods across years: semantic ``diff`` of two resolved rulesets (and its
renderings, ``gitrev`` for PATH@REV), ``impact`` of a change on the same data
with attribution item by item, and the canonical form ``fmt`` that keeps
rulesets diffable in git."""
