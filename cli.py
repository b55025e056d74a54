"""kaohe command line: parse, call the engine, render. Nothing else.

Every user mistake arrives as ``KaoheError`` and leaves as located
diagnostics with exit code 1; usage errors exit 2 (click's convention).
A reader that stops early (``kaohe explain … | head -1``) ends any command
quietly with exit code 0.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from kaohe.engine.errors import Diagnostic, KaoheError

if TYPE_CHECKING:
    from kaohe.engine.evaluation.pipeline import Evaluation
    from kaohe.engine.report.output import Results
    from kaohe.engine.ruleset.model import Ruleset
    from kaohe.engine.store.url import StoreTarget

EXIT_INVALID = 1


def default_lang() -> str:
    """The message language when ``--lang`` is not given (docs/ruleset-format.md, 错误信息).

    ``KAOHE_LANG`` (zh or en) first; then the locale in POSIX order (LC_ALL, LC_MESSAGES, LANG), the
    first one set deciding: zh… is Chinese, anything else English. ``C``, ``C.UTF-8`` and ``POSIX`` say
    no language (a Chinese office's server often runs with LANG=C.UTF-8), so they count as unset, and
    with no language anywhere kaohe speaks Chinese, the language of the people it is written for."""
    chosen = os.environ.get("KAOHE_LANG", "").strip().lower()
    if chosen[:2] in ("zh", "en"):
        return chosen[:2]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        language = value.split(".")[0].split("@")[0]
        if language and language not in ("C", "POSIX"):
            return "zh" if language.lower().startswith("zh") else "en"
    return "zh"


def report(diagnostics: list[Diagnostic], lang: str, fmt: str = "text") -> None:
    if fmt == "json":
        click.echo(json.dumps({"ok": False, "problems": [d.to_json(lang) for d in diagnostics]},
                              ensure_ascii=False, indent=2))
        return
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(lang), err=True)
    count = len(diagnostics)
    click.echo(f"共 {count} 个问题" if lang == "zh" else f"{count} problem(s)", err=True)


def report_warnings(warnings: list[Diagnostic], lang: str) -> None:
    """Warnings of an evaluation that went through: on standard error, so the
    results on standard output stay clean for a pipe."""
    for warning in warnings:
        click.echo(warning.format(lang), err=True)
    if warnings:
        count = len(warnings)
        click.echo(f"共 {count} 条提醒（结果已输出，请核对）" if lang == "zh"
                   else f"{count} warning(s) (results written; please check)", err=True)


RESULTS_COMMANDS = {"evaluate", "explain"}
"""Commands whose --format is the format of results, not of the report of problems."""


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn KaoheError into located diagnostics and exit code 1."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        lang = ctx.find_root().params.get("lang") or default_lang()
        # a report asked for as JSON stays JSON when it fails (results formats of evaluate do not count)
        fmt = "json" if kwargs.get("fmt") == "json" and ctx.command.name not in RESULTS_COMMANDS else "text"
        try:
            return command(*args, **kwargs)
        except KaoheError as exc:
            report(exc.diagnostics, lang, fmt)
            ctx.exit(EXIT_INVALID)
        except (click.exceptions.Exit, click.ClickException, KeyboardInterrupt, BrokenPipeError):
            raise  # BrokenPipeError: the reader went away, handled by KaoheGroup
        except Exception as exc:  # a bug (ours or a plugin's): say so plainly, keep the traceback opt-in
            if os.environ.get("KAOHE_DEBUG"):
                raise
            report([Diagnostic("E-INTERNAL", {"kind": type(exc).__name__, "problem": str(exc)[:300]})], lang, fmt)
            ctx.exit(EXIT_INVALID)

    return run


LANG = "kaohe.lang"


def lang_of(ctx: click.Context) -> str:
    root = ctx.find_root()
    return root.meta.get(LANG) or root.params.get("lang") or default_lang()


def _set_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``--lang`` is read before ``--help`` is acted on, so help is in the chosen language."""
    if value:
        ctx.find_root().meta[LANG] = value
    return value


QUIET = "kaohe.quiet"


def _period_named(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``--period`` in any form the data accepts (2025q1, 2025-Q1, 2025年第一季度) as its id."""
    from kaohe.engine.data.numbers import period_id

    return None if value is None else period_id(value)


def is_quiet(ctx: click.Context) -> bool:
    return bool(ctx.find_root().meta.get(QUIET))


def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().meta[QUIET] = True


def quiet_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``-q/--quiet`` on the group or on a command: no confirmations and no progress; errors and
    evaluation warnings are still shown."""
    return click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set_quiet,
                        help="No confirmations or progress; errors and warnings still show.")(command)


PROGRESS_DELAY = 1.0  # seconds before a run's progress bar appears: short runs never show one


class TerminalProgress:
    """The engine's steps as a rich progress bar on standard error; it appears only once the run has
    taken ``PROGRESS_DELAY`` seconds, and vanishes when the run ends."""

    def __init__(self, lang: str, console: Any = None, delay: float = PROGRESS_DELAY):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.lang = lang
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                            console=console or Console(stderr=True), transient=True)
        self.task = self.bar.add_task("", total=None, visible=False)
        self.timer = threading.Timer(delay, lambda: self.bar.update(self.task, visible=True))
        self.timer.daemon = True

    def __enter__(self) -> TerminalProgress:
        self.bar.start()
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        self.bar.stop()

    def step(self, zh: str, en: str, done: int | None = None, total: int | None = None) -> None:
        self.bar.update(self.task, description=zh if self.lang == "zh" else en, completed=done or 0, total=total)


@contextmanager
def showing_progress(ctx: click.Context) -> Iterator[None]:
    """A progress bar for this command when standard error is a terminal and not --quiet."""
    if is_quiet(ctx) or not sys.stderr.isatty():
        yield
        return
    from kaohe.engine.progress import listening

    with TerminalProgress(lang_of(ctx)) as bar, listening(bar):
        yield


class BilingualHelp(click.Command):
    """Help in the chosen language (``--lang``, ``KAOHE_LANG``, the locale), with examples:
    the Chinese and the examples come from ``kaohe.engine.messages.help``, the English from click."""

    def _key(self) -> str:
        return self.callback.__name__ if self.callback is not None else self.name or ""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        prefix = _heading(ctx, "usage")
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=prefix)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kaohe.engine.messages.help import command_help

        entry = command_help(self._key())
        if lang_of(ctx) != "zh" or entry is None:
            super().format_help_text(ctx, formatter)
            return
        formatter.write_paragraph()
        with formatter.indentation():
            for number, paragraph in enumerate(entry.zh.split("\n\n")):
                if number:
                    formatter.write_paragraph()
                formatter.write_text(paragraph)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [r for r in (self._record(ctx, p) for p in self.get_params(ctx)) if r is not None]
        if records:
            with formatter.section(_heading(ctx, "options")):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def _record(self, ctx: click.Context, param: click.Parameter) -> tuple[str, str] | None:
        from kaohe.engine.messages.help import option_help

        record = param.get_help_record(ctx)
        if record is None or lang_of(ctx) != "zh" or param.name is None:
            return record
        chinese = option_help(self._key(), param.name)
        if chinese is None:
            return record
        extra = record[1][record[1].rfind("  ["):] if record[1].endswith("]") and "  [" in record[1] else ""
        return record[0], chinese + extra.replace("default:", "默认：").replace("required", "必填")

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kaohe.engine.messages.help import command_help

        entry = command_help(self._key())
        if entry is not None and entry.examples:
            zh = lang_of(ctx) == "zh"
            with formatter.section(_heading(ctx, "examples")):
                indent = " " * formatter.current_indent
                for example in entry.examples:  # not wrapped: an example is copied as it stands
                    formatter.write(f"{indent}# {example.zh if zh else example.en}\n{indent}kaohe {example.line}\n")
        super().format_epilog(ctx, formatter)


def _heading(ctx: click.Context, key: str) -> str:
    from kaohe.engine.messages.help import HEADINGS

    return HEADINGS[key][0 if lang_of(ctx) == "zh" else 1]


class KaoheGroup(BilingualHelp, click.Group):
    """The command group; a closed standard output ends every command quietly."""

    command_class = BilingualHelp
    group_class = type

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kaohe.engine.messages.help import command_help

        zh = lang_of(ctx) == "zh"
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            entry = command_help(command.callback.__name__) if command.callback is not None else None
            short = entry.zh.split("\n")[0] if zh and entry is not None else command.get_short_help_str(limit=70)
            rows.append((name, short))
        if rows:
            with formatter.section(_heading(ctx, "commands")):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
            return result
        except BrokenPipeError:
            silence_stdout()
            ctx.exit(0)


def silence_stdout() -> None:
    """After the reader of standard output went away (``| head``): point it at
    devnull, so that Python's final flush does not fail again (the standard
    recipe of the Python docs, signal module: "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. under click's test runner)
        pass


@click.group(cls=KaoheGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, is_eager=True, callback=_set_lang,
              help="Message language (default: KAOHE_LANG, else the locale; Chinese when unset).")
@click.option("--allow-outside", "allow_outside", multiple=True, type=click.Path(path_type=Path, file_okay=False),
              help="Also let rulesets read files in this folder outside their project.")
@click.version_option(package_name="kaohe", prog_name="kaohe")
@quiet_option
def main(lang: str | None, allow_outside: tuple[Path, ...]) -> None:
    """kaohe: rules-as-configuration for public-sector performance assessment."""
    from kaohe.engine.ruleset.project import ALLOWED_OUTSIDE

    ALLOWED_OUTSIDE.set(tuple(allow_outside))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--data", "data", type=click.Path(path_type=Path, exists=True), default=None,
              help="Also check this data (a folder, a workbook or one table's file) against the ruleset, "
                   "without evaluating.")
@click.pass_context
@handles_errors
def validate(ctx: click.Context, paths: tuple[Path, ...], fmt: str, data: Path | None) -> None:
    """Check rulesets (files or folders); report every problem, located."""
    from kaohe.engine.ruleset.load import validate_paths

    lang = lang_of(ctx)
    if data is not None:
        validate_data(ctx, paths, data, fmt)
        return
    count, problems = validate_paths(paths)
    errors = [p for p in problems if p.severity == "error"]
    if fmt == "json":
        click.echo(json.dumps({"ok": not errors, "files": count, "problems": [p.to_json(lang) for p in problems]},
                              ensure_ascii=False, indent=2))
    elif problems:
        report(problems, lang)
    if errors:
        ctx.exit(EXIT_INVALID)
    if fmt == "text":
        click.echo(f"✓ {count} 个方案文件通过校验" if lang == "zh" else f"✓ {count} ruleset file(s) valid")


def validate_data(ctx: click.Context, paths: tuple[Path, ...], data: Path, fmt: str) -> None:
    """``validate RULESET --data DIR|FILE``: every problem of every table, nothing scored."""
    from kaohe.engine.evaluation.data_check import check_data

    if len(paths) != 1:
        raise click.UsageError("--data checks the data of one ruleset: give one RULESET / --data 只能配一个方案")
    lang = lang_of(ctx)
    result = check_data(paths[0], data)
    if fmt == "json":
        click.echo(json.dumps({"ok": result.ok, "files": result.files, "tables": result.tables,
                               "problems": [p.to_json(lang) for p in result.problems]},
                              ensure_ascii=False, indent=2))
    elif not result.ok:
        report(result.problems, lang)
    else:  # warnings only: the data passes
        for warning in result.problems:
            click.echo(warning.format(lang), err=True)
        if result.problems:
            count = len(result.problems)
            click.echo(f"共 {count} 条提醒，请核对" if lang == "zh" else f"{count} warning(s); please check", err=True)
    if not result.ok:
        ctx.exit(EXIT_INVALID)
    if fmt == "text":
        count = len(result.tables)
        click.echo(f"✓ 数据通过校验：{count} 张表" if lang == "zh" else f"✓ data valid: {count} table(s)")


def store_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--store", "store_url", default=None, metavar="URL",
                        help=f"{help_text} An SQLAlchemy URL or a SQLite file path.")


def evaluation_store(store_url: str | None, ruleset: Path) -> StoreTarget | None:
    """The store this evaluation records into (``--store``, else the project's kaohe.toml), or None.
    Its URL is checked here, before the evaluation runs; nothing is connected yet."""
    from kaohe.engine.ruleset.load import resolve_path
    from kaohe.engine.store.config import chosen_store

    target = chosen_store(store_url, resolve_path(ruleset).parent)
    if target is not None:  # SQLAlchemy is imported only when a store is used
        from kaohe.engine.store.database import connectable

        connectable(target).dispose()
    return target


def record_run(ctx: click.Context, target: StoreTarget, evaluation: Evaluation, period: str | None,
               fmt: str) -> bytes | None:
    """Record the run; with ``--format json`` the JSON text recorded, for the output to be the very
    same bytes (otherwise nothing is kept: the stored text is made and dropped in the store's code)."""
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.record import exported_json
    from kaohe.engine.store.write import record_evaluation

    recorded = exported_json(evaluation) if fmt == "json" else None
    with opened(target) as store:
        run_id = record_evaluation(store, evaluation, period, recorded)
    click.echo(f"已记入结果库 {target.shown}：运行 {run_id}" if lang_of(ctx) == "zh"
               else f"recorded in {target.shown} as run {run_id}", err=True)
    return recorded


@main.command()
@click.argument("ruleset", type=click.Path(path_type=Path))
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Folder (or workbook) holding the data tables (default: the ruleset's own data).")
@click.option("--period", default=None, callback=_period_named, help="Only this period, e.g. 2025Q1 or 2025.")
@click.option("--format", "fmt", default="table", help="table, json, csv, xlsx, parquet, html or an installed exporter.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to this file (whole or not at all) instead of standard output.")
@quiet_option
@click.option("--all", "show_all", is_flag=True, help="The table lists every subject, not the top and bottom of a long one.")
@store_option("Also record the run in this results store (default: store in kaohe.toml, else none).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              help="local: one process; dask: the partitions of --data on a Dask cluster (docs/distributed.md).")
@click.option("--partition-by", "partition_by", default=None,
              help="With --engine dask: the column the data was partitioned by (default: grading.group_by).")
@click.option("--workers", type=click.IntRange(1, 256), default=2,
              help="With --engine dask: processes of the local cluster started for the run.")
@click.option("--scheduler", default=None, help="With --engine dask: a running cluster's scheduler, e.g. tcp://host:8786.")
@click.pass_context
@handles_errors
def evaluate(ctx: click.Context, ruleset: Path, data_dir: Path | None, period: str | None, fmt: str,
             out: Path | None, show_all: bool, store_url: str | None, engine: str, partition_by: str | None,
             workers: int, scheduler: str | None) -> None:
    """Evaluate a ruleset on its data and print or write the results."""
    from kaohe.engine.evaluation.runner import input_files, run
    from kaohe.engine.report.output import Results

    if engine == "dask":
        evaluate_partitioned(ctx, ruleset, data_dir, fmt, out, partition_by, (scheduler, workers))
        return
    if fmt == "xlsx" and out is None:
        raise click.UsageError("xlsx output needs --out FILE / xlsx 格式需要用 --out 指定文件")
    target = evaluation_store(store_url, ruleset)
    from kaohe.engine.store.data_store import using

    with showing_progress(ctx):
        with using(target):  # history: {source: store} reads the store this run records into
            evaluation = run(ruleset, data_dir, period)
        if out is not None:
            refuse_input_as_output(out, input_files(evaluation))
        # recorded before any output is shown; JSON output is then the very bytes recorded
        recorded = record_run(ctx, target, evaluation, period, fmt) if target is not None else None
        written = write_results(ctx, Results(evaluation), fmt, out, period, show_all, recorded)
    if written is not None:  # after the progress bar is gone
        confirm_written(ctx, *written)
    report_warnings(evaluation.warnings, lang_of(ctx))


def evaluate_partitioned(ctx: click.Context, ruleset: Path, data_dir: Path | None, fmt: str, out: Path | None,
                         partition_by: str | None, cluster: tuple[str | None, int]) -> None:
    """``evaluate --engine dask``: the partitions of a partitioned data folder on a Dask cluster."""
    from kaohe.engine.distributed.run import dask_map, evaluate_partitioned, write_results
    from kaohe.engine.registry import default_registry
    from kaohe.engine.report.atomic import write_atomic_with
    from kaohe.engine.ruleset.load import load_ruleset

    if fmt != "parquet" or out is None:
        raise KaoheError(Diagnostic("E-PARTITION-FORMAT", {}))
    if data_dir is None:
        raise click.UsageError("--engine dask needs --data PARTITIONED_FOLDER / 分区计算需要用 --data 指定分区数据文件夹")
    registry = default_registry()
    compiled = load_ruleset(ruleset, registry)
    key = partition_by or (compiled.grading.group_by if compiled.grading else "all")
    if key == "all":
        raise click.UsageError("--engine dask needs --partition-by (the ranking is not grouped) / "
                               "排名不分组时需要用 --partition-by 指定分区依据")
    run_on, close = dask_map(*cluster)
    try:
        partitioned = evaluate_partitioned(compiled, registry, data_dir, key, run_on)
    finally:
        close()
    size = write_atomic_with(out, lambda handle: write_results(partitioned, handle))
    confirm_written(ctx, out, size, (
        f"{partitioned.subjects} 个对象，{partitioned.partitions} 个分区，{partitioned.rounds} 轮",
        f"{partitioned.subjects} subjects, {partitioned.partitions} partitions, {partitioned.rounds} rounds"))
    report_warnings(partitioned.warnings, lang_of(ctx))


@main.command()
@click.argument("ruleset", type=click.Path(path_type=Path))
@click.option("--by", "key", required=True, help="The subjects column to split by, e.g. unit or a declared field.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The folder to write (replaced whole, or left as it was).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Folder (or workbook) holding the data tables (default: the ruleset's own data).")
@quiet_option
@click.pass_context
@handles_errors
def partition(ctx: click.Context, ruleset: Path, key: str, out: Path, data_dir: Path | None) -> None:
    """Split a ruleset's data by a subjects column into Parquet partitions (for --engine dask)."""
    from kaohe.engine.distributed.partitions import write_partitions
    from kaohe.engine.evaluation.runner import check_confined, data_specs, load_data
    from kaohe.engine.registry import default_registry
    from kaohe.engine.ruleset.load import load_ruleset

    registry = default_registry()
    compiled = load_ruleset(ruleset, registry)
    dataset = load_data(compiled, data_dir, registry)  # checked whole first: bad data is never partitioned
    specs, base = data_specs(compiled, data_dir)
    check_confined(compiled, specs, base, data_dir)
    written = write_partitions(compiled, dataset, specs, base, key, out, registry)
    if not is_quiet(ctx):
        rows = ", ".join(f"{table} {count}" for table, count in written.rows.items())
        zh = lang_of(ctx) == "zh"
        click.echo(f"已写入 {out}：{written.partitions} 个分区（行数：{rows}）" if zh
                   else f"wrote {out}: {written.partitions} partitions (rows: {rows})", err=True)
    report_warnings(dataset.warnings, lang_of(ctx))


SPOOL_BYTES = 64 * 1024 * 1024  # output for standard output is held in memory up to this, then on disk


Written = tuple[Path, int, tuple[str, str]]  # file, bytes, what it holds (zh, en)


def write_results(ctx: click.Context, results: Results, fmt: str, out: Path | None, period: str | None,
                  show_all: bool, recorded: bytes | None = None) -> Written | None:
    """The table or an exporter's output, to ``--out`` (whole or not at all) or to standard output
    (also whole: spooled first, so a failing exporter prints nothing); what was written to ``--out``.
    ``recorded``: the JSON text the store recorded, written as it is for ``--format json``."""
    from kaohe.engine.progress import step
    from kaohe.engine.report.render import export_to, exporter_of, ranking_table

    step("写出结果", "writing the results")
    evaluation = results.evaluation
    if fmt == "table":
        text = ranking_table(evaluation, period, lang_of(ctx), show_all)
        if out is None:
            click.echo(text, nl=False)
            return None
        fill: Callable[[BinaryIO], object] = lambda handle: handle.write(text.encode("utf-8"))  # noqa: E731
    elif fmt == "json" and recorded is not None:
        fill = lambda handle: handle.write(recorded)  # noqa: E731
    else:
        fill = lambda handle: export_to(results, fmt, handle)  # noqa: E731
    if out is None:
        from tempfile import SpooledTemporaryFile

        with SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            fill(spool)  # type: ignore[arg-type]
            spool.seek(0)
            while chunk := spool.read(1 << 20):
                click.echo(chunk, nl=False)  # bytes go to the binary stream unchanged
        return None
    from kaohe.engine.report.atomic import write_atomic_with

    size = write_atomic_with(out, fill)
    shown = [p.period.id for p in evaluation.periods if period is None or p.period.id == period]
    one_period = fmt == "table" or exporter_of(fmt).last_period_only  # the table, a report: the last period
    shown = shown[-1:] if one_period else shown
    subjects = evaluation.periods[-1].cohort.n
    return out, size, (f"{subjects} 个对象，周期 {'、'.join(shown)}", f"{subjects} subjects, periods {', '.join(shown)}")


def refuse_input_as_output(out: Path, inputs: list[Path]) -> None:
    """``--out`` naming the ruleset or a data file would overwrite what the run read."""
    for source in inputs:
        if out.exists() and source.exists() and out.resolve() == source.resolve():
            raise KaoheError(Diagnostic("E-OUTPUT-IS-INPUT", {"file": str(out)}, file=str(out)))


def confirm_written(ctx: click.Context, out: Path, size: int, what: tuple[str, str] | None = None) -> None:
    """One line on standard error naming the file written, its size and what it holds (not with --quiet)."""
    if is_quiet(ctx):
        return
    zh = lang_of(ctx) == "zh"
    held = "" if what is None else (f"：{what[0]}" if zh else f": {what[1]}")
    click.echo(f"已写入 {out}（{readable_size(size)}）{held}" if zh else f"wrote {out} ({readable_size(size)}){held}",
               err=True)


def readable_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:.1f} KB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.1f} MB"




@main.command()
@click.argument("ruleset", type=click.Path(path_type=Path))
@click.argument("subject", required=False)
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Folder holding the data tables (default: the ruleset's own data).")
@click.option("--period", default=None, callback=_period_named, help="Period to explain (default: the year, else the last period).")
@click.option("--all", "every", is_flag=True, help="Every subject of the period, from one evaluation.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="With --all: one file per subject (named by id) in this folder.")
@quiet_option
@click.pass_context
@handles_errors
def explain(ctx: click.Context, ruleset: Path, subject: str | None, data_dir: Path | None, period: str | None,
            every: bool, out: Path | None) -> None:
    """Explain one subject's score point by point (in Chinese); --all: every subject."""
    from kaohe.engine.evaluation.runner import run
    from kaohe.engine.report.explain import explain_all, explain_subject

    if every == (subject is not None):
        raise click.UsageError("name one SUBJECT or give --all / 请写一个考核对象，或用 --all 说明全部对象")
    if out is not None and not every:
        raise click.UsageError("--out goes with --all / --out 与 --all 一起使用")
    with showing_progress(ctx):
        evaluation = run(ruleset, data_dir, period)  # up to the period, as evaluate --period
        if subject is not None:
            text = explain_subject(evaluation, subject, period)
        else:
            texts = list(explain_all(evaluation, period))  # all made before anything is written
    if subject is not None:
        click.echo(text, nl=False)
        return
    if out is None:
        click.echo("\n".join(text for _, text in texts), nl=False)
        return
    from kaohe.engine.report.atomic import file_names, write_files_atomic

    names = file_names([i for i, _ in texts], ".txt")
    size = write_files_atomic(out, ((name, text.encode("utf-8")) for name, (_, text) in zip(names, texts, strict=True)))
    confirm_written(ctx, out, size, (f"{len(texts)} 份说明", f"{len(texts)} explanations"))


@main.command("report")
@click.argument("ruleset", type=click.Path(path_type=Path))
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Folder or workbook holding the data tables (default: the ruleset's own data).")
@click.option("--period", default=None, callback=_period_named, help="The period reported (default: the year, else the last period).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html", show_default=True,
              help="html: one self-contained file; pdf: printed by headless Chromium.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write to this file (with --split: this folder) instead of standard output.")
@click.option("--split", is_flag=True, help="With --format pdf: one PDF per subject in the --out folder, named by id.")
@click.option("--previous", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="An earlier year's results JSON (kaohe evaluate --format json): movers and grade changes.")
@store_option("The store rulesets read earlier results from, and the signed-off year before is compared with "
              "when --previous is not given (default: store in kaohe.toml, else none).")
@quiet_option
@click.pass_context
@handles_errors
def report_command(ctx: click.Context, ruleset: Path, data_dir: Path | None, period: str | None, fmt: str,
                   out: Path | None, split: bool, previous: Path | None, store_url: str | None) -> None:
    """Write the results as one self-contained HTML report, or print it to PDF."""
    from kaohe.engine.evaluation.runner import input_files, run
    from kaohe.engine.report.html.write import write_report
    from kaohe.engine.store.data_store import using

    if split and fmt != "pdf":
        raise click.UsageError("--split needs --format pdf / --split 需要 --format pdf")
    if fmt == "pdf" and out is None:
        raise click.UsageError("pdf output needs --out FILE (with --split: --out FOLDER) / pdf 格式需要用 --out 指定文件"
                               "（--split 时为文件夹）")
    if fmt == "pdf":  # before the evaluation: a missing browser is told at once
        from kaohe.engine.report.html.browser import driver_installed, require_chromium

        require_chromium()
        if not driver_installed():
            raise KaoheError(Diagnostic("E-REPORT-DRIVER", {}))
    target = evaluation_store(store_url, ruleset)
    with using(target):
        evaluation = run(ruleset, data_dir, period)  # up to the period, as evaluate --period
    if out is not None and not split:
        refuse_input_as_output(out, input_files(evaluation))
    chosen_lang = ctx.find_root().params.get("lang") or "zh"  # the report opens in Chinese unless --lang en
    earlier: Any = previous
    if previous is None and target is not None:  # the year before, signed off in the store, when there is one
        from kaohe.engine.store.previous_year import previous_year_document

        found = previous_year_document(target, evaluation.ruleset)
        if found is not None:
            earlier = (f"结果库 {target.shown} 运行 {found[0]}" if chosen_lang == "zh"
                       else f"store {target.shown} run {found[0]}", found[1])
    written = write_report(evaluation, period, fmt, out, split, earlier, chosen_lang)
    if written.payload is not None:
        click.echo(written.payload, nl=False)
    what = (f"{written.subjects} 个对象，周期 {written.period}", f"{written.subjects} subjects, period {written.period}")
    if split and out is not None:
        total = sum(size for _, size in written.files)
        confirm_written(ctx, out, total, (f"{len(written.files)} 个 PDF，每个对象一个，周期 {written.period}",
                                          f"{len(written.files)} PDFs, one per subject, period {written.period}"))
    elif out is not None:
        confirm_written(ctx, out, written.files[0][1], what)
    report_warnings(evaluation.warnings, lang_of(ctx))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List every case, not only failures.")
@click.option("--mutate", is_flag=True,
              help="Change one policy value at a time; report the changes no case detects (docs/mutation.md).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="With --mutate.")
@click.option("--min-score", type=float, default=None,
              help="With --mutate: exit 1 when a jurisdiction's score (killed / (killed + survived)) is below this.")
@click.pass_context
@handles_errors
def test(ctx: click.Context, paths: tuple[Path, ...], verbose: bool, mutate: bool, fmt: str,
         min_score: float | None) -> None:
    """Run ruleset test cases (YAML) under PATHS."""
    from kaohe.engine.testing.cases import collect_test_files, run_file

    if mutate:
        mutation_report(ctx, paths, fmt, min_score)
        return
    if fmt != "text" or min_score is not None:
        raise click.UsageError("--format and --min-score go with --mutate / --format、--min-score 须与 --mutate 同用")
    lang = lang_of(ctx)
    passed = failed = 0
    for file in collect_test_files(paths):
        for outcome in run_file(file):
            if outcome.ok:
                passed += 1
                if verbose:
                    click.echo(f"PASS {file}::{outcome.name}")
            else:
                failed += 1
                click.echo(f"FAIL {file}::{outcome.name}")
                for line in outcome.failures:
                    click.echo(f"    {line.pick(lang)}")
    click.echo(f"{passed} passed, {failed} failed" if lang == "en" else f"通过 {passed} 个，失败 {failed} 个 "
               f"({passed} passed, {failed} failed)")
    if failed or not passed:
        if not passed and not failed:
            click.echo("没有找到测试用例" if lang == "zh" else "no test cases found", err=True)
        ctx.exit(EXIT_INVALID)


def mutation_report(ctx: click.Context, paths: tuple[Path, ...], fmt: str, min_score: float | None) -> None:
    from kaohe.engine.testing.mutation import (
        below,
        check_mutations,
        jurisdictions,
        render_json,
        render_text,
    )

    reports = check_mutations(jurisdictions(paths))
    click.echo(render_json(reports) if fmt == "json" else render_text(reports), nl=False)
    if min_score is not None and below(reports, min_score):
        ctx.exit(EXIT_INVALID)


def title_of(kind: str, name: str, component: Any) -> str:
    """A component's title; a built-in function's from the language's table, a plugin's from its docstring."""
    from kaohe.engine.language.functions import FUNCTION_TITLES

    if kind == "function":
        doc = (getattr(component, "__doc__", None) or "").strip().splitlines()
        return FUNCTION_TITLES.get(name) or (doc[0] if doc else "")
    return str(getattr(component, "title", ""))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@handles_errors
def plugins(fmt: str) -> None:
    """List installed components (raters, data sources, allocators …) and their plugins."""
    from kaohe.engine.registry import KIND_TITLES, default_registry

    entries = default_registry().all()
    if fmt == "json":
        rows = [{"kind": e.kind, "name": e.name, "title": title_of(e.kind, e.name, e.component),
                 "origin": e.origin} for e in entries]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from kaohe.engine.report.render import table

    rows = [[f"{KIND_TITLES.get(e.kind, e.kind)} {e.kind}", e.name, title_of(e.kind, e.name, e.component), e.origin]
            for e in entries]
    click.echo(table(["类型 kind", "名称 name", "说明 title", "来源 origin"], rows), nl=False)


@main.command()
@click.argument("ruleset", type=click.Path(path_type=Path))
@click.option("--resolved", is_flag=True, default=True, help="After extends (the default; kept for clarity).")
@click.option("--provenance", is_flag=True, help="Tag every value with the file and line that set it.")
@click.option("--canonical", is_flag=True,
              help="Print the file itself in `kaohe fmt` form (no extends, no checks): git's textconv.")
@click.pass_context
@handles_errors
def show(ctx: click.Context, ruleset: Path, resolved: bool, provenance: bool, canonical: bool) -> None:
    """Print the effective ruleset after extends, optionally with provenance."""
    if canonical:
        show_canonical(ctx, ruleset)
        return
    from kaohe.engine.report.show import render
    from kaohe.engine.ruleset.inherit import load_resolved
    from kaohe.engine.ruleset.load import resolve_path

    document = load_resolved(resolve_path(ruleset))
    if document.problems:
        raise KaoheError(document.problems)
    click.echo(render(document, provenance), nl=False)


def show_canonical(ctx: click.Context, path: Path) -> None:
    from kaohe.engine.years.fmt import textconv

    text, problems = textconv(path)
    for problem in problems:  # still exit 0: git diff must keep working on a broken file
        click.echo(problem.format(lang_of(ctx)), err=True)
    click.echo(text.encode("utf-8"), nl=False)


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; list files that would change, exit 1 if any.")
@click.option("--diff", "with_diff", is_flag=True, help="Also print a unified diff for each such file.")
@click.pass_context
@handles_errors
def fmt_command(ctx: click.Context, paths: tuple[Path, ...], check: bool, with_diff: bool) -> None:
    """Rewrite rulesets in canonical key order and style, keeping comments."""
    from kaohe.engine.years.fmt import format_paths, render_report

    lang = lang_of(ctx)
    result = format_paths(paths, write=not check)
    click.echo(render_report(result, check, with_diff, lang), nl=False)
    if result.problems:
        report(result.problems, lang)
    if result.problems or (check and result.changed):
        ctx.exit(EXIT_INVALID)


@main.command()
@click.argument("rulesets", nargs=-1, required=True, metavar="[OLD] NEW")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", help="Output format.")
@click.option("--rev", default=None, help="Compare NEW with itself at this git revision: kaohe diff --rev REV NEW.")
@click.option("--impact", "impact_data", type=click.Path(path_type=Path), default=None,
              help="Evaluate both on this data folder: grade, rank and bonus changes, attributed to the changes.")
@click.option("--period", default=None, callback=_period_named, help="With --impact: only this period (default: every period).")
@click.option("--threshold", default=3, show_default=True, help="With --impact: smallest rank move reported.")
@click.pass_context
@handles_errors
def diff(ctx: click.Context, rulesets: tuple[str, ...], fmt: str, rev: str | None, impact_data: Path | None,
         period: str | None, threshold: int) -> None:
    """Semantic diff of two rulesets (files, folders or PATH@GIT-REVISION)."""
    old, new = diff_pair(rulesets, rev)
    from contextlib import ExitStack

    from kaohe.engine.ruleset.load import load_ruleset
    from kaohe.engine.years.diff import diff_rulesets
    from kaohe.engine.years.diff_render import RENDERERS
    from kaohe.engine.years.gitrev import at_revision

    lang = lang_of(ctx)
    with ExitStack() as stack:
        before, after = (labelled(load_ruleset(at_revision(spec, stack)), spec) for spec in (old, new))
        text = RENDERERS[fmt](before, after, diff_rulesets(before, after), lang)
        if impact_data is not None:
            from kaohe.engine.years.impact import impact
            from kaohe.engine.years.impact_render import render_impact

            report = impact(before, after, impact_data, period, threshold, lang)
            if fmt == "json":
                document = json.loads(text)
                document["impact"] = report
                text = json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"
            else:
                text += render_impact(report, lang, markdown=fmt == "md", threshold=threshold)
        click.echo(text, nl=False)


def labelled(ruleset: Ruleset, spec: str) -> Ruleset:
    """A ruleset read from git is named ``path@REV`` in the diff, not by the temporary copy it was read from."""
    from dataclasses import replace

    from kaohe.engine.years.gitrev import split_revision

    return replace(ruleset, file=spec) if split_revision(spec)[1] else ruleset


def diff_pair(rulesets: tuple[str, ...], rev: str | None) -> tuple[str, str]:
    """OLD and NEW: two paths, or with ``--rev`` one (NEW, compared with itself at REV)."""
    if rev is not None:
        if len(rulesets) != 1:
            raise click.UsageError("with --rev give only NEW: kaohe diff --rev REV NEW / "
                                   "用 --rev 时只写新方案：kaohe diff --rev 版本 新方案")
        return f"{rulesets[0]}@{rev}", rulesets[0]
    if len(rulesets) != 2:
        raise click.UsageError("give OLD and NEW (or --rev REV NEW) / 请写旧方案和新方案（或 --rev 版本 新方案）")
    return rulesets[0], rulesets[1]


@main.command()
@click.argument("name", type=click.Choice(["ruleset", "results", "test", "diff"]), default="ruleset")
@click.option("--builtin", is_flag=True,
              help="ruleset: only the built-in components, as schemas/ruleset.editor.schema.json holds them.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the schema to FILE instead of standard output.")
@quiet_option
@click.pass_context
@handles_errors
def schema(ctx: click.Context, name: str, builtin: bool, out: Path | None) -> None:
    """Print a JSON Schema (ruleset, results, test or diff).

    ruleset is the editor schema: the format with the installed raters, outcomes and
    data sources and their settings (docs/ruleset-format.md, Editor setup)."""
    from kaohe.engine.ruleset.editor_schema import schema_text

    text = schema_text(name, builtin=builtin)
    if out is None:
        click.echo(text, nl=False)
        return
    from kaohe.engine.report.atomic import write_atomic

    data = text.encode("utf-8")
    write_atomic(out, data)
    confirm_written(ctx, out, len(data), (f"{name} 的 JSON Schema", f"the {name} JSON Schema"))


@main.command()
@click.argument("ruleset", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the workbook to this .xlsx file (default: named after the ruleset id and period, here).")
@click.option("--period", default=None, callback=_period_named, help="Pre-fill this period only, e.g. 2025Q1 (default: every period).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Take the subjects from this folder or workbook (default: the ruleset's own data).")
@quiet_option
@click.pass_context
@handles_errors
def template(ctx: click.Context, ruleset: Path, out: Path | None, period: str | None, data_dir: Path | None) -> None:
    """Write the data-entry workbook of a ruleset: a sheet per table, subjects pre-filled."""
    from kaohe.engine.data.template import template_file
    from kaohe.engine.registry import default_registry
    from kaohe.engine.report.atomic import write_atomic
    from kaohe.engine.ruleset.load import load_ruleset

    registry = default_registry()
    compiled = load_ruleset(ruleset, registry)
    target, payload, plan = template_file(compiled, registry, out, period, data_dir)
    read = [Path(f) for f in compiled.source_files] + ([data_dir] if data_dir is not None else [])
    refuse_input_as_output(target, read)  # a filled workbook given as --data is never overwritten by a blank one
    write_atomic(target, payload)
    sheets = [s.name for s in plan.sheets]
    rows = sum(len(s.rows) for s in plan.sheets if s.table == "subjects")
    confirm_written(ctx, target, len(payload), (f"{'、'.join(sheets)}；{rows} 个对象",
                                                 f"{len(sheets)} sheets, {rows} subjects"))


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path), default=".")
@click.option("--id", "ruleset_id", default=None, help="Ruleset id (letters, digits, - and _).")
@click.option("--title", default=None, help="Name of the assessment method (its title, in Chinese).")
@click.option("--year", type=int, default=None, help="Assessment year.")
@click.option("--kind", type=click.Choice(["unit", "person"]), default=None, help="Subjects are units or persons.")
@click.option("--periods", "cycle", type=click.Choice(["quarter", "year"]), default=None,
              help="Quarterly (rolled up into the year) or yearly assessment.")
@click.option("--indicator", "indicators", multiple=True, help="An indicator's name (repeatable).")
@click.option("--yes", "assume", is_flag=True, help="Ask nothing: defaults for whatever no option gives.")
@quiet_option
@click.pass_context
@handles_errors
def init_command(ctx: click.Context, folder: Path, ruleset_id: str | None, title: str | None, year: int | None,
                 kind: str | None, cycle: str | None, indicators: tuple[str, ...], assume: bool) -> None:
    """Create a new jurisdiction folder: a commented ruleset, sample data, a test file, a README."""
    from kaohe.engine.ruleset.scaffold import (
        Answers,
        check_folder,
        create,
        default_answers,
        split_names,
    )

    check_folder(folder)  # before any question: a folder in use is refused at once
    zh = lang_of(ctx) == "zh"
    base = default_answers(folder)

    def ask(given: Any, question: tuple[str, str], default: Any, kind_of: Any = None) -> Any:
        if given is not None or assume:
            return default if given is None else given
        return click.prompt(question[0] if zh else question[1], default=default, type=kind_of)

    answers = Answers(
        ruleset_id=ask(ruleset_id, ("方案编号（英文）", "Ruleset id"), base.ruleset_id),
        title=ask(title, ("辖区考核办法名称", "Name of the method"), base.title),
        year=ask(year, ("考核年度", "Year"), base.year, int),
        kind=ask(kind, ("考核对象：unit 单位 / person 个人", "Subjects"), "unit", click.Choice(["unit", "person"])),
        cycle=ask(cycle, ("考核周期：quarter 季度 / year 年度", "Periods"), "quarter",
                  click.Choice(["quarter", "year"])),
    )
    names = indicators or split_names(ask(None, ("指标名称（用顿号分隔）", "Indicator names (separated by commas)"),
                                          "、".join(answers.names)))
    written = create(folder, Answers(answers.ruleset_id, answers.title, answers.year, answers.kind, answers.cycle,
                                     tuple(names)))
    if not is_quiet(ctx):
        for path in written:
            click.echo(f"已创建 {path}" if zh else f"created {path}", err=True)
        click.echo(f"下一步：kaohe validate {folder}；kaohe test {folder}；kaohe evaluate {folder}" if zh
                   else f"next: kaohe validate {folder}; kaohe test {folder}; kaohe evaluate {folder}", err=True)


@main.group("store", cls=KaoheGroup)
def store_group() -> None:
    """The results store: recorded runs (kaohe evaluate --store)."""


@store_group.command("runs")
@store_option("The results store to read (default: store in kaohe.toml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@handles_errors
def store_runs(store_url: str | None, fmt: str) -> None:
    """List the recorded runs, newest first."""
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.read import list_runs
    from kaohe.engine.store.show import runs_json, runs_text

    with opened(read_store(store_url), create=False) as store:
        rows = list_runs(store)
    click.echo(runs_json(rows) if fmt == "json" else runs_text(rows), nl=False)


@store_group.command("show")
@click.argument("run_id", type=int, metavar="RUN")
@store_option("The results store to read (default: store in kaohe.toml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.option("--document", "whole", is_flag=True,
              help="Print the run's results document instead, byte for byte as --format json wrote it.")
@handles_errors
def store_show(run_id: int, store_url: str | None, fmt: str, whole: bool) -> None:
    """Summarise one recorded run: digests, files, periods and grades."""
    from kaohe.engine.store.appeal_read import list_appeals
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.read import get_run, run_document, run_rows
    from kaohe.engine.store.show import summary_json, summary_text

    with opened(read_store(store_url), create=False) as store:
        run = get_run(store, run_id)
        if whole:
            click.echo(run_document(store, run_id).encode("utf-8"), nl=False)
            return
        rows, appeals = run_rows(store, run_id), list_appeals(store, run_id)
    click.echo(summary_json(run, rows, appeals) if fmt == "json" else summary_text(run, rows, appeals), nl=False)


@store_group.command("signoff")
@click.argument("run_id", type=int, metavar="RUN")
@store_option("The results store holding the run (default: store in kaohe.toml).")
@click.option("--by", "by", default=None, metavar="NAME",
              help="Who signs off (default: KAOHE_USER, else the login name).")
@click.pass_context
@handles_errors
def store_signoff(ctx: click.Context, run_id: int, store_url: str | None, by: str | None) -> None:
    """Sign off a run: freeze it and link it into the store's hash chain; prints its digest."""
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.record import recorded_by
    from kaohe.engine.store.signoff import sign_off

    with opened(read_store(store_url), create=False) as store:
        digest = sign_off(store, run_id, (by or "").strip() or recorded_by())
    click.echo(digest)  # alone on standard output: the value to copy onto the signed paper record
    click.echo(f"运行 {run_id} 已确认；请把上面的摘要抄在签字的纸质记录上，以后可用 kaohe store verify 核对"
               if lang_of(ctx) == "zh" else
               f"run {run_id} signed off; write the digest above on the signed paper record, "
               "so kaohe store verify can later be checked against it", err=True)


@store_group.command("verify")
@click.argument("run_ids", type=int, nargs=-1, metavar="[RUN]...")
@store_option("The results store to verify (default: store in kaohe.toml).")
@click.option("--recompute", is_flag=True,
              help="Also re-evaluate each run from its recorded ruleset and data files and compare.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The project root the recorded paths are relative to (default: the working folder's project).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.pass_context
@handles_errors
def store_verify(ctx: click.Context, run_ids: tuple[int, ...], store_url: str | None, recompute: bool,
                 root: Path | None, fmt: str) -> None:
    """Check the hash chain of signed-off runs and name every record changed since (exit 1 if any)."""
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.verify import verify
    from kaohe.engine.store.verify_show import verify_json, verify_text

    with opened(read_store(store_url), create=False) as store:
        outcome = verify(store, list(run_ids), recompute, project_root_of(root))
    lang = lang_of(ctx)
    click.echo(verify_json(outcome, lang) if fmt == "json" else verify_text(outcome, lang), nl=False)
    if fmt != "json":
        for diagnostic in outcome.problems:
            click.echo(diagnostic.format(lang), err=True)
    if not outcome.intact:
        ctx.exit(EXIT_INVALID)


@store_group.command("history")
@click.argument("subject")
@store_option("The results store to read (default: store in kaohe.toml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@handles_errors
def store_history(subject: str, store_url: str | None, fmt: str) -> None:
    """One subject's results across years and runs."""
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.subject_history import history_json, history_text, subject_history

    with opened(read_store(store_url), create=False) as store:
        rows = subject_history(store, subject)
    click.echo(history_json(rows) if fmt == "json" else history_text(subject, rows), nl=False)


def project_root_of(root: Path | None) -> Path:
    """``--root``, else the project holding the working folder (the recorded paths are relative to it)."""
    from kaohe.engine.ruleset.project import project_root

    # project_root looks from a ruleset's folder upwards; from "cwd/_" that includes the working folder
    return root or project_root(Path.cwd() / "_")


@store_group.command("appeal")
@click.argument("run_id", type=int, metavar="RUN")
@click.option("--data", "corrected", type=click.Path(path_type=Path), required=True, metavar="CORRECTED",
              help="Folder holding the corrected data tables (the same tables as the run read).")
@store_option("The results store holding the signed-off run (default: store in kaohe.toml).")
@click.option("--reason", default=None, metavar="TEXT", help="Why the result is appealed.")
@click.option("--by", "by", default=None, metavar="NAME",
              help="Who lodges the appeal (default: KAOHE_USER, else the login name).")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The project root the recorded paths are relative to (default: the working folder's project).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", help="Output format.")
@click.pass_context
@handles_errors
def store_appeal(ctx: click.Context, run_id: int, corrected: Path, store_url: str | None, reason: str | None,
                 by: str | None, root: Path | None, fmt: str) -> None:
    """Appeal a signed-off run: re-evaluate it on corrected data, record who and what changed."""
    from kaohe.engine.store.appeal import lodge_appeal
    from kaohe.engine.store.appeal_read import appeal_report
    from kaohe.engine.store.appeal_show import appeal_json, appeal_text
    from kaohe.engine.store.database import opened
    from kaohe.engine.store.record import recorded_by

    with opened(read_store(store_url), create=False) as store:
        appeal_id = lodge_appeal(store, run_id, corrected, reason, (by or "").strip() or recorded_by(),
                                 project_root_of(root))
        report = appeal_report(store, appeal_id)
    lang = lang_of(ctx)
    click.echo(appeal_json(report) if fmt == "json" else appeal_text(report, lang, markdown=fmt == "md"), nl=False)
    click.echo(f"已记入复核 {appeal_id}；运行 {run_id} 的确认结果未作改动" if lang == "zh"
               else f"recorded as appeal {appeal_id}; the signed-off run {run_id} is unchanged", err=True)


@store_group.command("appeals")
@click.argument("run_id", type=int, metavar="[RUN]", required=False)
@store_option("The results store to read (default: store in kaohe.toml).")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", help="Output format.")
@click.pass_context
@handles_errors
def store_appeals(ctx: click.Context, run_id: int | None, store_url: str | None, fmt: str) -> None:
    """The recorded appeals (of RUN only, if given), oldest first, each with its report."""
    from kaohe.engine.store.appeal_read import appeal_reports
    from kaohe.engine.store.appeal_show import appeal_json, appeals_text
    from kaohe.engine.store.database import opened

    with opened(read_store(store_url), create=False) as store:
        reports = appeal_reports(store, run_id)
    lang = lang_of(ctx)
    click.echo(appeal_json(reports) if fmt == "json" else appeals_text(reports, lang, markdown=fmt == "md"),
               nl=False)


# The everyday store commands also answer to their short names (kaohe runs, kaohe signoff 3, kaohe verify,
# kaohe history D01, kaohe appeal 3): the same command objects, so the two spellings can never drift apart.
for short_name, store_command in (("runs", store_runs), ("signoff", store_signoff), ("verify", store_verify),
                                  ("history", store_history), ("appeal", store_appeal),
                                  ("appeals", store_appeals)):
    main.add_command(store_command, name=short_name)


def read_store(store_url: str | None) -> StoreTarget:
    """``--store``, else the store of the project holding the working folder."""
    from kaohe.engine.store.config import required_store

    return required_store(store_url, Path.cwd())


def program() -> None:
    """The ``kaohe`` program (pyproject's script, ``python -m kaohe.cli``): ``main``, then a fast exit.

    A command's work (a city's evaluation: millions of objects) would otherwise be freed object by
    object as the interpreter shuts down, some 0.2 s after the results are written. Instead, once
    no other thread is alive (none has work to finish), the exit handlers run, standard output and
    error are flushed and the process ends with the command's exit code, as mypy's ``--fast-exit``
    does. In-process callers (tests, ``CliRunner``) call ``main`` and exit as always, and so does a
    run under a profiler or a tracer (``python -m cProfile``, coverage), which reports after it."""
    try:
        main(prog_name="kaohe")
        code: object = 0
    except SystemExit as done:
        code = done.code
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if not isinstance(code, int | None) or threading.active_count() > 1 or watched:
        sys.exit(code)  # a message as the code, threads to wait for, a profiler to report: the usual exit
    leave_now(code or 0)


def leave_now(code: int) -> None:
    """End the process now: exit handlers, then both streams flushed, then ``os._exit``."""
    import atexit
    import contextlib

    atexit._run_exitfuncs()  # what the interpreter runs at exit (a profiler's report, logging's flush)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone (| head: a quiet end), a stream closed
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    program()
