"""From YAML to a compiled ruleset: safe loading with positions (``loader``),
``extends`` (``inherit``), the JSON Schema pass (``schema``), semantic checks
(``semantics``), the frozen model every stage reads (``model``) and the entry
point that runs them in order (``load``). Stages after this one read the
model only, never the raw document."""
