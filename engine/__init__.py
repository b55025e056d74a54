"""kaohe's engine: a YAML ruleset and local data in, explained results out.

The pipeline runs through the subpackages in this order; each imports only
from the ones before it (``tests/test_layout.py`` enforces the arrows):

``language``   the expression language: parsing, whitelist, names in scope, truth
``ruleset``    loading YAML, ``extends``, schema and semantic checks, the compiled model
``data``       data tables read through data-source plugins, periods
``evaluation`` cohort → scoring → adjustments → rounding → grading → outcomes
``report``     the results document, explanations, terminal tables, atomic output
``years``      comparing methods across years: ``diff``, ``impact``, ``fmt``
``store``      the results store: recorded runs in SQLite or PostgreSQL (Alembic migrations)
``testing``    ruleset test cases and their pytest plugin

The modules at this level are the plugin contract every stage shares:
diagnostics (``errors``, ``messages``), hooks (``hookspecs``), component base
classes (``components``) and the registry that loads plugins (``registry``).
"""

from pathlib import Path

__version__ = "0.1.0"

#: Where the installed package keeps its JSON Schemas (``kaohe/schemas`` in a
#: wheel, ``schemas/`` in a checkout: both sit beside ``engine/``).
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
