"""``kaohe store verify``: recompute the hash chain from the rows and name what changed.

For each signed-off run, in chain order:
- its sign-off columns are whole (status, place, digest; ``E-STORE-VERIFY-STATUS``);
- no place is missing before it (a deleted run, ``E-STORE-VERIFY-GAP``);
- its previous digest is the digest of the run before it (``E-STORE-VERIFY-LINK``);
- its digest, recomputed from what the store holds now, is the stored one
  (``E-STORE-VERIFY-DIGEST``); when not, the rows that disagree with the
  results document are named (``compare.py``).
With ``--recompute`` every checked run is also re-evaluated (``recompute.py``).
Runs named on the command line that are not signed off get only the
row/document comparison and a warning that nothing proves them unchanged.

The chain proves the store is consistent with itself; only the latest digest,
kept outside the database (on the signed paper record), proves it was not
rewritten whole (docs/trust.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from kaohe.engine.errors import Diagnostic, KaoheError
from kaohe.engine.store.chain import SIGNED_OFF, chain_rows, read_content, run_digest
from kaohe.engine.store.compare import document_problems, located
from kaohe.engine.store.database import Store
from kaohe.engine.store.read import reading
from kaohe.engine.store.recompute import recompute_problems
from kaohe.engine.store.schema import runs


@dataclass
class RunCheck:
    """One checked run and what was found about it."""

    run: int
    signoff_seq: int | None
    signed_by: str | None
    signed_at: str | None
    digest: str | None
    signed: bool
    problems: list[Diagnostic] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


@dataclass
class Verification:
    store: str
    checks: list[RunCheck]
    latest_digest: str | None  # the newest sign-off's digest: the one to compare with the paper record
    unsigned: int  # runs in the store not signed off (not covered by the chain)
    recomputed: bool

    @property
    def problems(self) -> list[Diagnostic]:
        return [p for check in self.checks for p in check.problems]

    @property
    def intact(self) -> bool:
        return all(check.intact for check in self.checks)

    @property
    def first_changed(self) -> int | None:
        return next((check.run for check in self.checks if not check.intact), None)


def verify(store: Store, run_ids: list[int], recompute: bool, root: Path) -> Verification:
    """Check the chain (or only the runs ``run_ids``), re-evaluating each run if ``recompute``."""
    shown = store.target.shown
    with reading(store) as connection:
        chain = chain_rows(connection)
        known = set(connection.execute(select(runs.c.id)).scalars())
        unknown = [r for r in run_ids if r not in known]
        if unknown:
            raise KaoheError(store.target.diagnostic("E-STORE-RUN-UNKNOWN", run=unknown[0]))
        checks = chain_checks(connection, shown, chain, set(run_ids or known), recompute, root)
        in_chain = {r["id"] for r in chain}
        checks += [unsigned_check(connection, shown, r, recompute, root)
                   for r in dict.fromkeys(run_ids) if r not in in_chain]
        unsigned = int(connection.execute(select(func.count()).select_from(runs)).scalar_one()) - len(chain)
    latest = chain[-1]["digest"] if chain else None
    return Verification(shown, checks, latest, unsigned, recompute)


def chain_checks(connection: Connection, shown: str, chain: list[dict[str, Any]], selected: set[int],
                 recompute: bool, root: Path) -> list[RunCheck]:
    checks = []
    previous: dict[str, Any] | None = None
    for link in chain:
        if link["id"] in selected:
            check = RunCheck(link["id"], link["signoff_seq"], link["signed_by"], link["signed_at"],
                             link["digest"], signed=True)
            check.problems = [*link_problems(shown, link, previous),
                              *content_problems(connection, shown, link, recompute, root)]
            checks.append(check)
        previous = link
    return checks


def link_problems(shown: str, link: dict[str, Any], previous: dict[str, Any] | None) -> list[Diagnostic]:
    """The run's sign-off columns, and its link to the sign-off before it."""
    run_id, seq = link["id"], link["signoff_seq"]
    where = f"runs/{run_id}"
    if link["status"] != SIGNED_OFF or seq is None or link["digest"] is None:
        return [located(shown, where, "E-STORE-VERIFY-STATUS", run=run_id, status=link["status"],
                        seq=seq if seq is not None else "—", digest=link["digest"] or "—")]
    problems = []
    before = previous["signoff_seq"] if previous is not None else 0
    if before is not None and seq != before + 1:
        problems.append(located(shown, f"{where}/signoff_seq", "E-STORE-VERIFY-GAP", missing=before + 1,
                                before=before, after=seq))
    expected = previous["digest"] if previous is not None else None
    if link["previous_digest"] != expected:
        problems.append(located(shown, f"{where}/previous_digest", "E-STORE-VERIFY-LINK", run=run_id,
                                seq=seq, found=link["previous_digest"] or "—", expected=expected or "—",
                                previous=previous["id"] if previous is not None else "—"))
    return problems


def content_problems(connection: Connection, shown: str, link: dict[str, Any], recompute: bool,
                     root: Path) -> list[Diagnostic]:
    """The run's digest recomputed from its rows; where it differs, which rows changed."""
    content = read_content(connection, link["id"])
    assert content is not None  # listed in the chain by this same connection
    found = run_digest(content)
    problems = []
    if found != link["digest"]:
        problems.append(located(shown, f"runs/{link['id']}/digest", "E-STORE-VERIFY-DIGEST", run=link["id"],
                                seq=link["signoff_seq"] if link["signoff_seq"] is not None else "—",
                                stored=link["digest"] or "—", found=found))
    # also when the digest matches: rows rewritten together with a recomputed digest still disagree
    # with the document, unless that was rewritten too
    problems += document_problems(shown, content)
    if recompute:
        problems += recompute_problems(shown, content, root)
    return problems


def unsigned_check(connection: Connection, shown: str, run_id: int, recompute: bool, root: Path) -> RunCheck:
    content = read_content(connection, run_id)
    assert content is not None  # the caller checked the id exists
    check = RunCheck(run_id, None, None, None, None, signed=False)
    check.problems = [located(shown, f"runs/{run_id}", "W-STORE-VERIFY-UNSIGNED", severity="warning",
                              run=run_id), *document_problems(shown, content)]
    if recompute:
        check.problems += recompute_problems(shown, content, root)
    return check
