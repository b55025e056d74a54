"""Signing off a run: freezing it and linking it into the store's hash chain, in one transaction.

``sign_off`` first claims the run (``status`` recorded → signed-off, who and
when), so a second sign-off of the same run finds it taken (``E-STORE-SIGNED``)
even when both start at once; then it takes the next place in the chain and
the digest of the run before it, and stores the run's digest (``chain.py``).
Two sign-offs of different runs racing on a server for the same place: the
unique ``signoff_seq`` lets one commit, the other is retried from the start.
Nothing else of the run changes.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from kaohe.engine.errors import KaoheError
from kaohe.engine.store.chain import SIGNED_OFF, latest_link, read_content, run_digest
from kaohe.engine.store.database import Store, writing
from kaohe.engine.store.record import RECORDED, recorded_at
from kaohe.engine.store.schema import runs
from kaohe.engine.store.url import StoreTarget, first_line

ATTEMPTS = 5  # a lost race for a place in the chain is retried; five losses in a row is a real fault


def sign_off(store: Store, run_id: int, by: str) -> str:
    """Sign off ``run_id`` as ``by`` (time: now in UTC, or SOURCE_DATE_EPOCH); its digest."""
    signed_at = recorded_at()
    for attempt in range(ATTEMPTS):
        try:
            with writing(store, retried=(IntegrityError,)) as connection:
                return _sign(connection, store.target, run_id, by, signed_at)
        except IntegrityError as exc:
            if attempt == ATTEMPTS - 1:
                raise KaoheError(store.target.diagnostic("E-STORE-WRITE", problem=first_line(exc))) from None
    raise AssertionError("unreachable: the last attempt returns or raises")


def _sign(connection: Connection, target: StoreTarget, run_id: int, by: str, signed_at: str) -> str:
    claim = (update(runs).where(runs.c.id == run_id, runs.c.status == RECORDED)
             .values(status=SIGNED_OFF, signed_by=by, signed_at=signed_at))
    if connection.execute(claim).rowcount != 1:
        raise refusal(connection, target, run_id)
    seq, previous = latest_link(connection)
    connection.execute(update(runs).where(runs.c.id == run_id)
                       .values(signoff_seq=seq + 1, previous_digest=previous))
    content = read_content(connection, run_id)
    assert content is not None  # claimed above, in this transaction
    digest = run_digest(content)
    connection.execute(update(runs).where(runs.c.id == run_id).values(digest=digest))
    return digest


def refusal(connection: Connection, target: StoreTarget, run_id: int) -> KaoheError:
    """Why ``run_id`` cannot be signed off: there is no such run, or it already is."""
    row = connection.execute(select(runs.c.status, runs.c.signed_by, runs.c.signed_at, runs.c.digest)
                             .where(runs.c.id == run_id)).first()
    if row is None:
        return KaoheError(target.diagnostic("E-STORE-RUN-UNKNOWN", run=run_id))
    return KaoheError(target.diagnostic("E-STORE-SIGNED", run=run_id, by=row.signed_by or "?",
                                        at=row.signed_at or "?", digest=row.digest or "?",
                                        status=row.status))
