"""Benchmark of the results store (issue 11): a city run into the store, and reading it back.

    python benchmarks/store.py [--persons 10000] [--years 3] [--repeat 3]
                               [--postgres URL | --no-postgres] [--pg-fsync on|off] [--profile] [--json]

The data is bench_evaluate.py's generated cohort (persons × 20 indicators ×
4 quarters + the year, seeded: the same files on every run), one folder per
year 2023, 2024, 2025 … of one jurisdiction (``city/``). Measured, each the
median of ``--repeat`` timings:

(a) evaluation alone (``evaluate``: score, adjust, grade, allocate) of the newest year;
(b) recording that run into a fresh store (migrated before the clock starts):
    ``record_evaluation`` of engine/store/write.py, split into its parts: the
    JSON export (the exporter's stream, never a document of Python data), the record (file digests, one row per subject
    and period) and the database insert, in one transaction;
(c) one subject's history (``subject_history``) and (d) the history table of a
    ruleset (engine/store/history.py: ``signed_off_years`` + ``year_results``,
    what ``history: {source: store}`` reads) from a store holding ``--years``
    runs, each signed off (``sign_off``, also timed);
(e) ``kaohe store verify`` over those runs (the ``verify`` function, and the
    command itself in a subprocess, Python start-up included).

Each on SQLite (a file in a temporary folder) and on PostgreSQL: a throwaway
server (initdb + pg_ctl in a temporary folder, as .ci/run starts one, as the
``postgres`` user when run as root; stopped and removed at the end), or the
server of ``--postgres URL`` (a database is created per fresh store and
dropped at the end, so the URL's user needs CREATEDB). If no server can be
started, says so and measures SQLite only. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_evaluate import generate, ruleset_text  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from kaohe.engine.evaluation.pipeline import Evaluation, evaluate  # noqa: E402
from kaohe.engine.evaluation.runner import load_data  # noqa: E402
from kaohe.engine.registry import default_registry  # noqa: E402
from kaohe.engine.ruleset.load import load_ruleset  # noqa: E402
from kaohe.engine.store.database import open_store  # noqa: E402
from kaohe.engine.store.history import signed_off_years, year_results  # noqa: E402
from kaohe.engine.store.record import RunRecord, exported_json, run_record  # noqa: E402
from kaohe.engine.store.schema import metadata, run_results  # noqa: E402
from kaohe.engine.store.signoff import sign_off  # noqa: E402
from kaohe.engine.store.subject_history import subject_history  # noqa: E402
from kaohe.engine.store.url import StoreTarget  # noqa: E402
from kaohe.engine.store.verify import verify  # noqa: E402
from kaohe.engine.store.write import insert_run, record_evaluation  # noqa: E402

JURISDICTION = "city"
SUBJECTS = ("P000042", "P004711", "P009999")  # read in turn by the history timings


# --------------------------------------------------------------------------- data


@dataclass
class Year:
    year: int
    evaluation: Evaluation


def write_jurisdiction(project: Path, persons: int, years: list[int]) -> None:
    """``project/kaohe.toml`` (the project root) and ``project/city/<year>.yaml`` with ``data/<year>/``."""
    (project / "kaohe.toml").write_text("", encoding="utf-8")
    city = project / JURISDICTION
    for year in years:
        data = city / "data" / str(year)
        data.mkdir(parents=True)
        generate(data, persons, seed=7 + year, year=year)
        body = ruleset_text().replace("year: 2025", f"year: {year}")
        for table in ("subjects", "values", "events"):
            body = body.replace(f"path: {table}.csv", f"path: data/{year}/{table}.csv")
        (city / f"{year}.yaml").write_text(body, encoding="utf-8")


def evaluate_years(project: Path, years: list[int], repeat: int, timings: dict[str, list[float]]) -> list[Year]:
    """Every year evaluated once for the store; the newest one ``repeat`` times for (a)."""
    registry = default_registry()
    out = []
    for year in years:
        ruleset = load_ruleset(project / JURISDICTION / f"{year}.yaml", registry)
        clock = time.perf_counter()
        dataset = load_data(ruleset, None, registry)
        load = time.perf_counter() - clock
        rounds = repeat if year == years[-1] else 1
        for _ in range(rounds):
            clock = time.perf_counter()
            evaluation = evaluate(ruleset, dataset, registry)
            seconds = time.perf_counter() - clock
            if year == years[-1]:
                timings["load csv"].append(load)
                timings["evaluate"].append(seconds)
        out.append(Year(year, evaluation))
    return out


# --------------------------------------------------------------------------- backends


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):  # PATH first, then Debian's versioned folders (as .ci/run)
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    for candidate in reversed(versions):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


@contextlib.contextmanager
def throwaway_postgres(fsync: str) -> Iterator[tuple[str | None, str]]:
    """(admin URL, description) of a server started for this benchmark, or (None, why not)."""
    bindir = pg_bindir()
    if bindir is None:
        yield None, "initdb/pg_ctl not found"
        return
    user = None
    if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to an ordinary user, as in .ci/run
        user = "postgres"
        if subprocess.run(["id", user], capture_output=True).returncode != 0:
            yield None, "running as root and there is no 'postgres' user to own the cluster"
            return

    def as_user(*command: str) -> subprocess.CompletedProcess[str]:
        argv = list(command) if user is None else ["su", "-s", "/bin/sh", user, "-c", shlex.join(command)]
        return subprocess.run(argv, capture_output=True, text=True)

    folder = Path(tempfile.mkdtemp(prefix="kaohe-bench-pg."))
    if user is not None:
        shutil.chown(folder, user)
    port = free_port()
    data = folder / "data"
    started = False
    try:
        done = as_user(str(bindir / "initdb"), "-D", str(data), "--username=kaohe", "--auth=trust",
                       "--encoding=UTF8", "--locale=C")
        if done.returncode != 0:
            yield None, f"initdb failed: {(done.stdout + done.stderr).strip()[-400:]}"
            return
        options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
                   f" -c fsync={fsync}")
        done = as_user(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
                       "-t", "60", "-o", options, "start")
        if done.returncode != 0:
            log = (folder / "server.log").read_text(errors="replace") if (folder / "server.log").exists() else ""
            yield None, f"pg_ctl start failed: {(done.stdout + done.stderr + log).strip()[-400:]}"
            return
        started = True
        version = subprocess.run([str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True)
        yield (f"postgresql+psycopg://kaohe@127.0.0.1:{port}/postgres",
               f"throwaway {version.stdout.strip()} at 127.0.0.1:{port}, fsync={fsync}")
    finally:
        if started:
            as_user(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


class Backend:
    """Fresh stores on one database system, and their size on disk."""

    name: str

    def fresh(self, label: str) -> StoreTarget:
        raise NotImplementedError

    def size(self, target: StoreTarget) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SQLiteBackend(Backend):
    name = "SQLite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def fresh(self, label: str) -> StoreTarget:
        path = self.folder / f"{label}.db"
        path.unlink(missing_ok=True)
        return StoreTarget(f"sqlite:///{path.as_posix()}")

    def size(self, target: StoreTarget) -> int:
        path = target.sqlite_file()
        assert path is not None
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))  # with -wal/-journal if any


class PostgresBackend(Backend):
    name = "PostgreSQL"

    def __init__(self, admin_url: str) -> None:
        self.admin = make_url(admin_url)
        self.engine = create_engine(self.admin, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []
        with self.engine.connect() as connection:
            self.version = connection.execute(text("show server_version")).scalar_one()

    def fresh(self, label: str) -> StoreTarget:
        name = f"kaohe_bench_{label}"
        with self.engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return StoreTarget(self.admin.set(database=name).render_as_string(hide_password=False))

    def size(self, target: StoreTarget) -> int:
        """The store's tables with their indexes and TOAST (pg_total_relation_size); the empty
        database's catalogue (~7 MB) is left out, as SQLite's file has none of it."""
        engine = create_engine(target.url)
        try:
            with engine.connect() as connection:
                names = [*metadata.tables, "alembic_version"]
                return int(sum(connection.execute(text("select pg_total_relation_size(:t)"), {"t": t}).scalar_one()
                               for t in names))
        finally:
            engine.dispose()

    def close(self) -> None:
        with self.engine.connect() as connection:
            for name in dict.fromkeys(self.created):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


# --------------------------------------------------------------------------- measurements


@dataclass
class Figure:
    backend: str
    what: str
    rows: int | None
    seconds: list[float]
    size: int | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def as_dict(self) -> dict[str, Any]:
        rate = None if not self.rows else round(self.rows / self.median)
        return {"backend": self.backend, "what": self.what, "rows": self.rows, "median_s": round(self.median, 4),
                "runs_s": [round(s, 4) for s in self.seconds], "rows_per_s": rate, "size_bytes": self.size,
                "note": self.note}


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)


def record_rows(record: RunRecord) -> int:
    """Rows one run writes: runs, run_documents, run_files, run_results, run_warnings."""
    return 2 + len(record.files) + len(record.results) + len(record.warnings)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    clock = time.perf_counter()
    value = call()
    return time.perf_counter() - clock, value


def profiled(call: Callable[[], Any], limit: int = 18) -> str:
    profile = cProfile.Profile()
    profile.enable()
    call()
    profile.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats("tottime").print_stats(limit)
    stream.write("\n--- by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(limit)
    return stream.getvalue()


def measure_write(backend: Backend, newest: Year, repeat: int, out: Results, profile: bool) -> None:
    """(b): record the newest year's run into a fresh, already migrated store, ``repeat`` times."""
    parts: dict[str, list[float]] = {"open + migrate (fresh store)": [], "export json document": [],
                                     "run record (digests, rows)": [], "insert (one transaction)": [],
                                     "record_evaluation (b: all three)": []}
    rows = size = 0
    document_bytes = 0
    for i in range(repeat):
        target = backend.fresh(f"write{i}")
        seconds, store = timed(lambda target=target: open_store(target))
        parts["open + migrate (fresh store)"].append(seconds)
        try:
            seconds, results_json = timed(lambda: exported_json(newest.evaluation))
            parts["export json document"].append(seconds)
            document_bytes = len(results_json)
            t_record, record = timed(lambda results_json=results_json: run_record(
                newest.evaluation, results_json, None))
            parts["run record (digests, rows)"].append(t_record)
            t_insert, _ = timed(lambda store=store, record=record: insert_run(store, record))
            parts["insert (one transaction)"].append(t_insert)
            parts["record_evaluation (b: all three)"].append(seconds + t_record + t_insert)
            rows = record_rows(record)
        finally:
            store.close()
        size = backend.size(target)
    for what, seconds_list in parts.items():
        counted = rows if what.startswith(("insert", "record_evaluation")) else None
        note = f"document {document_bytes / 1e6:.1f} MB" if what.startswith("export") else ""
        out.figures.append(Figure(backend.name, what, counted, seconds_list,
                                  size if what.startswith("record_evaluation") else None, note))
    if profile:
        target = backend.fresh("profile")
        store = open_store(target)
        try:
            out.profiles[f"{backend.name}: record_evaluation"] = profiled(
                lambda: record_evaluation(store, newest.evaluation, None))
        finally:
            store.close()


def cli_seconds(argv: list[str], cwd: Path, repeat: int) -> tuple[list[float], str]:
    times = []
    command = [sys.executable, "-m", "kaohe.cli", *argv] if shutil.which("kaohe") is None else ["kaohe", *argv]
    for _ in range(repeat):
        clock = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - clock)
        if done.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} exited {done.returncode}: {done.stderr[-800:]}")
    return times, shlex.join(command)


def measure_reads(backend: Backend, years: list[Year], project: Path, repeat: int, out: Results,
                  profile: bool) -> None:
    """(c), (d), (e) on a store holding one signed-off run per year."""
    target = backend.fresh("history")
    store = open_store(target)
    sign_times = []
    total_rows = 0
    try:
        for year in years:
            run_id = record_evaluation(store, year.evaluation, None)
            seconds, _ = timed(lambda run_id=run_id: sign_off(store, run_id, "考核办"))
            sign_times.append(seconds)
        with store.engine.connect() as connection:
            total_rows = int(connection.execute(select(func.count()).select_from(run_results)).scalar_one())
        size = backend.size(target)
        per_run = total_rows // len(years)
        out.figures.append(Figure(backend.name, "sign_off (one run)", per_run, sign_times, None,
                                  f"{len(years)} runs, one each"))

        history_times, found = [], 0
        for i in range(repeat):
            seconds, rows = timed(lambda i=i: subject_history(store, SUBJECTS[i % len(SUBJECTS)]))
            history_times.append(seconds)
            found = len(rows)
        out.figures.append(Figure(backend.name, "(c) subject_history (one subject)", found, history_times, size,
                                  f"store: {len(years)} runs, {total_rows:,} result rows"))

        newest = years[-1].year
        table_times, found = [], 0
        for _ in range(repeat):
            seconds, rows = timed(lambda: year_results(store, signed_off_years(store, JURISDICTION, newest + 1)))
            table_times.append(seconds)
            found = len(rows)
        out.figures.append(Figure(backend.name, f"(d) history table (years < {newest + 1})", found, table_times,
                                  None, "signed_off_years + year_results"))

        verify_times, intact = [], True
        for _ in range(repeat):
            seconds, outcome = timed(lambda: verify(store, [], False, project))
            verify_times.append(seconds)
            intact = intact and outcome.intact
        out.figures.append(Figure(backend.name, "(e) verify (function)", total_rows, verify_times, None,
                                  "intact" if intact else "NOT INTACT"))

        url = target.url
        times, shown = cli_seconds(["store", "history", SUBJECTS[0], "--store", url], project, repeat)
        out.figures.append(Figure(backend.name, "(c) kaohe store history (command)", None, times, None,
                                  "incl. Python start-up"))
        times, shown_verify = cli_seconds(["store", "verify", "--store", url], project, repeat)
        out.figures.append(Figure(backend.name, "(e) kaohe store verify (command)", total_rows, times, None,
                                  "incl. Python start-up"))
        times, _ = cli_seconds(["--version"], project, repeat)
        out.figures.append(Figure(backend.name, "    kaohe --version (start-up alone)", None, times))
        out.profiles.setdefault("commands", "")
        out.profiles["commands"] += f"  {shown}\n  {shown_verify}\n"
        if profile:
            out.profiles[f"{backend.name}: verify"] = profiled(lambda: verify(store, [], False, project))
            out.profiles[f"{backend.name}: subject_history"] = profiled(lambda: subject_history(store, SUBJECTS[0]))
    finally:
        store.close()


# --------------------------------------------------------------------------- report


def load_line() -> str:
    done = subprocess.run(["uptime"], capture_output=True, text=True)
    return done.stdout.strip() or "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def megabytes(size: int | None) -> str:
    return "" if size is None else f"{size / 1e6:.1f} MB"


def render(figures: list[Figure]) -> str:
    headers = ("backend", "measurement", "rows", "median s", "rows/s", "db size", "runs (s)", "note")
    body = []
    for f in figures:
        rate = f"{f.rows / f.median:,.0f}" if f.rows else ""
        body.append((f.backend, f.what, f"{f.rows:,}" if f.rows is not None else "", f"{f.median:.3f}", rate,
                     megabytes(f.size), " ".join(f"{s:.3f}" for s in f.seconds), f.note))
    widths = [max(len(str(row[i])) for row in (headers, *body)) for i in range(len(headers))]
    lines = ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in (headers, *body)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3, help="signed-off runs in the history store (2023 …)")
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement; the median is reported")
    parser.add_argument("--postgres", default=None, help="an existing server: postgresql+psycopg://user@host/db")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--pg-fsync", choices=("on", "off"), default="on",
                        help="fsync of the throwaway server (default on, as a real server; .ci/run uses off)")
    parser.add_argument("--profile", action="store_true", help="also print cProfile of a write and a verify")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    command = shlex.join(["python", "benchmarks/store.py", *sys.argv[1:]])
    load_before = load_line()
    years = list(range(2025 - args.years + 1, 2026))
    out = Results()
    timings: dict[str, list[float]] = {"load csv": [], "evaluate": []}
    os.environ.setdefault("KAOHE_USER", "bench")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kaohe-bench-store.") as tmp, contextlib.ExitStack() as stack:
        project = Path(tmp) / "project"
        project.mkdir()
        write_jurisdiction(project, args.persons, years)
        evaluated = evaluate_years(project, years, args.repeat, timings)
        newest = evaluated[-1].evaluation
        subjects = len({str(i) for p in newest.periods for i in p.cohort.ids.tolist()})
        rows = sum(p.cohort.n for p in newest.periods)
        out.figures.append(Figure("—", "load csv (one year)", None, timings["load csv"]))
        out.figures.append(Figure("—", "(a) evaluate", rows, timings["evaluate"], None,
                                  f"{subjects:,} subjects × {len(newest.periods)} periods"))

        backends: list[Backend] = [SQLiteBackend(Path(tmp))]
        postgres_note = "not measured (--no-postgres)"
        if not args.no_postgres:
            if args.postgres:
                admin, postgres_note = args.postgres, f"given server {make_url(args.postgres).render_as_string()}"
            else:
                admin, postgres_note = stack.enter_context(throwaway_postgres(args.pg_fsync))
            if admin is None:
                print(f"PostgreSQL: could not start a server ({postgres_note}); measuring SQLite only",
                      file=sys.stderr)
                postgres_note = f"NOT MEASURED: {postgres_note}"
            else:
                try:
                    backend = PostgresBackend(admin)
                except Exception as exc:  # noqa: BLE001 - any failure to connect: say so, go on with SQLite
                    postgres_note = f"NOT MEASURED: cannot connect ({str(exc).splitlines()[0]})"
                    print(f"PostgreSQL: {postgres_note}; measuring SQLite only", file=sys.stderr)
                else:
                    stack.callback(backend.close)
                    postgres_note += f" (server_version {backend.version})"
                    backends.append(backend)
        for backend in backends:
            print(f"measuring {backend.name} …", file=sys.stderr, flush=True)
            measure_write(backend, evaluated[-1], args.repeat, out, args.profile)
            measure_reads(backend, evaluated, project, args.repeat, out, args.profile)
        sqlite_folder_fs = subprocess.run(["df", "-T", tmp], capture_output=True, text=True).stdout.splitlines()[-1:]
    elapsed = time.perf_counter() - started
    load_after = load_line()
    evaluate_s = statistics.median(timings["evaluate"])
    ratios = {}
    for f in out.figures:
        if f.what.startswith(("record_evaluation", "insert")):
            ratios[f"{f.backend}: {f.what.split(' ')[0]} / evaluate"] = round(f.median / evaluate_s, 2)
    if args.json:
        print(json.dumps({"command": command, "persons": args.persons, "years": years, "repeat": args.repeat,
                          "postgres": postgres_note, "load_before": load_before, "load_after": load_after,
                          "seconds_total": round(elapsed, 1), "ratios": ratios,
                          "figures": [f.as_dict() for f in out.figures]}, ensure_ascii=False, indent=2))
    else:
        print(f"command: {command}")
        print(f"persons {args.persons:,}, years {years[0]}–{years[-1]}, median of {args.repeat}; "
              f"{os.cpu_count()} cores; Python {sys.version.split()[0]}")
        print(f"SQLite: file in {tmp} ({' '.join(sqlite_folder_fs[0].split()[:2]) if sqlite_folder_fs else '?'})")
        print(f"PostgreSQL: {postgres_note}")
        print(f"load before: {load_before}")
        print(f"load after:  {load_after}")
        print()
        sys.stdout.write(render(out.figures))
        print()
        for name, value in ratios.items():
            print(f"{name}: {value}×")
        print(f"total benchmark time {elapsed:.0f} s")
    if args.profile:
        for name, report in out.profiles.items():
            print(f"\n===== {name} =====\n{report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
