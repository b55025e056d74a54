"""What an appeal is, as plain data: who lodged it, when, against which signed-off digest, the
corrected data's files and digest, the new results document and the changes; and its own digest.

Like a run (``record.py``) nothing here touches a database. The appeal's
digest is sha256 over one canonical JSON of all of it (``APPEAL_FORMAT``: the
appeals row but its id and digest, the files by path, the changes in order),
so a hand edit of any appeal row shows as an appeal whose digest no longer
matches; and it includes ``run_digest``, the contested run's signed-off
digest, so the appeal is bound to the very result it contests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kaohe.engine.store.record import sha256_hex

APPEAL_FORMAT = "kaohe-appeal/1"  # changes if what an appeal's digest covers ever changes


@dataclass(frozen=True)
class AppealRecord:
    row: dict[str, Any]  # the appeals row, without its id
    files: list[dict[str, Any]]  # path, sha256
    changes: list[dict[str, Any]]  # appeal_changes rows without appeal_id; money and inputs as data


def stored_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The changes as the appeal_changes table holds them: money and inputs as JSON text."""
    return [{**c, "money": as_json(c["money"]), "inputs": as_json(c["inputs"])} for c in changes]


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def appeal_digest(row: dict[str, Any], files: list[dict[str, Any]], changes: list[dict[str, Any]]) -> str:
    """sha256 over the appeal as stored (``changes`` in their stored form, JSON text)."""
    covered = {"format": APPEAL_FORMAT,
               "appeal": {k: v for k, v in row.items() if k not in ("id", "digest")},
               "files": sorted(({"path": f["path"], "sha256": f["sha256"]} for f in files),
                               key=lambda f: f["path"]),
               "changes": [{k: v for k, v in c.items() if k != "appeal_id"} for c in changes]}
    return "sha256:" + sha256_hex(as_json(covered).encode("utf-8"))
