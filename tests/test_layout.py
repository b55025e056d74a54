"""The layout shows the pipeline: stage subpackages import only from the
stages before them, and docs/architecture.md names modules that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"

# Lower index = earlier in the pipeline. Top-level engine modules are the
# shared contract (diagnostics, hooks, components, registry).
LAYERS = ["contract", "language", "ruleset", "data", "evaluation", "report", "years", "store", "distributed",
          "testing"]
CONTRACT = {"errors", "messages", "hookspecs", "components", "registry", "__init__"}
CONTRACT_MAY_USE = {"language"}  # components compile expressions for plugins


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] != ["kaohe", "engine"]:
        return None
    if len(parts) == 2 or parts[2] in CONTRACT:
        return "contract"
    return parts[2]


def engine_modules() -> list[Path]:
    return sorted(p for p in ENGINE.rglob("*.py"))


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = ["kaohe", *rel.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_engine_never_imports_a_plugin_module_or_the_cli() -> None:
    for path in engine_modules():
        for name in imports_of(path):
            top = name.split(".")
            # whole module names: "click.testing" is not "cli"
            assert top[:2] not in (["kaohe", "plugins"], ["kaohe", "cli"]) and top[0] not in ("engine", "plugins", "cli"), \
                (path, name)


def test_stages_import_only_earlier_stages() -> None:
    wrong = []
    for path in engine_modules():
        own = layer_of(module_name(path))
        for name in imports_of(path):
            used = layer_of(name)
            if used is None or used == own:
                continue
            allowed = LAYERS.index(used) < LAYERS.index(own) or (own == "contract" and used in CONTRACT_MAY_USE)
            if not allowed:
                wrong.append(f"{path.relative_to(ROOT)} ({own}) imports {name} ({used})")
    assert not wrong, "\n".join(wrong)


def test_language_depends_only_on_errors() -> None:
    for path in (ENGINE / "language").glob("*.py"):
        for name in imports_of(path):
            if name.startswith("kaohe."):
                assert name.startswith(("kaohe.engine.language", "kaohe.engine.errors")), (path, name)


def test_every_subpackage_explains_itself() -> None:
    for package in ENGINE.iterdir():
        init = package / "__init__.py"
        if package.is_dir() and init.exists():
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            assert doc and len(doc) > 80, f"{package.name}/__init__.py needs a one-paragraph docstring"


def test_architecture_doc_names_existing_modules_and_all_of_them() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:engine|plugins)/[\w/]+\.py|cli\.py)`", text))
    assert named, "docs/architecture.md names no module"
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
    actual = {str(p.relative_to(ROOT)) for p in [*engine_modules(), *(ROOT / "plugins").glob("*.py")]
              if p.name != "__init__.py" and "messages" not in p.parts}
    undocumented = sorted(actual - named)
    assert not undocumented, f"docs/architecture.md does not name: {undocumented}"


# Stages read the compiled model; the raw document is for diff, fmt, impact
# and the ruleset checks. ``report/show.py`` prints a resolved document it is
# handed (``kaohe show``), so it is the one report module allowed a Document.
STAGE_DIRS = ("evaluation", "report")
RAW_DOCUMENT_READERS = {"engine/report/show.py"}


def stage_modules() -> list[Path]:
    return [p for d in STAGE_DIRS for p in sorted((ENGINE / d).glob("*.py"))
            if str(p.relative_to(ROOT)) not in RAW_DOCUMENT_READERS]


def test_stage_modules_never_read_the_raw_document() -> None:
    readers = []
    for path in [*stage_modules(), *sorted((ROOT / "plugins").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("document", "raw_document"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno} reads .{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "kaohe.engine.ruleset.loader":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno} imports the YAML loader")
    assert not readers, "\n".join(readers)


def test_a_plain_run_imports_no_heavy_library() -> None:
    """SQLAlchemy, openpyxl, XlsxWriter, pyarrow, playwright take most of a second to import: only a run
    that uses a store, a workbook, Parquet or a browser pays for it
    (Chengdu also reads its sections' results, evaluated on the fly)."""
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from kaohe.cli import main; "
            "r = CliRunner().invoke(main, ['evaluate', 'rulesets/chengdu/2025.yaml', '--format', 'csv']); "
            "assert r.exit_code == 0, r.output; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic', 'openpyxl', 'xlsxwriter', 'pyarrow', 'playwright'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ENGINE.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_run_reading_through_arrow_leaves_pyarrow_compute_unimported(tmp_path: Path) -> None:
    """Data files past ARROW_CSV_BYTES are read through Arrow; its compute functions are called by name
    (columnar.arrow_call), so ``pyarrow.compute``, whose import documents all of them (some 50 ms), is
    not imported by a run writing JSON, CSV or Parquet."""
    import subprocess
    import sys

    sys.path.insert(0, str(ENGINE.parent / "benchmarks"))
    try:
        import bench_evaluate
    finally:
        sys.path.pop(0)
    bench_evaluate.generate(tmp_path, 7000)
    (tmp_path / "bench.yaml").write_text(bench_evaluate.ruleset_text(), encoding="utf-8")
    assert (tmp_path / "values.csv").stat().st_size > (4 << 20)  # ARROW_CSV_BYTES: read by Arrow
    for fmt in ("json", "csv", "parquet"):
        code = ("import sys; from click.testing import CliRunner; from kaohe.cli import main; "
                f"r = CliRunner().invoke(main, ['evaluate', 'bench.yaml', '--data', '.', '--format', '{fmt}', "
                f"'--out', 'results.{fmt}']); assert r.exit_code == 0, r.output; "
                "print('pyarrow' in sys.modules, 'pyarrow.compute' in sys.modules)")
        done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["True", "False"], (fmt, done.stdout)
