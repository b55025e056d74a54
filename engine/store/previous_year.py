"""The year before, from the store: for ``kaohe report`` without ``--previous``.

The same run ``history: {source: store}`` would read (engine/store/history.py): of the
jurisdiction's signed-off runs holding year results, the latest signed off of the latest
year before the ruleset's. Its results document is returned as recorded.
"""

from __future__ import annotations

import json
from typing import Any

from kaohe.engine.ruleset.model import Ruleset
from kaohe.engine.ruleset.project import project_path, project_root
from kaohe.engine.store.database import opened
from kaohe.engine.store.history import signed_off_years
from kaohe.engine.store.read import run_document
from kaohe.engine.store.url import StoreTarget


def previous_year_document(target: StoreTarget, ruleset: Ruleset) -> tuple[int, dict[str, Any]] | None:
    """(run id, results document) of the year before ``ruleset.year``, or None when none is signed off."""
    jurisdiction = project_path(ruleset.base_dir, project_root(ruleset.base_dir))  # as engine/store/record.py
    with opened(target, create=False) as store:
        years = signed_off_years(store, jurisdiction, ruleset.year)
        if not years:
            return None
        run_id = years[max(years)]
        return run_id, json.loads(run_document(store, run_id))
