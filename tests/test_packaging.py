"""kaohe installs as one package: nothing named engine, plugins or cli lands at
the top of site-packages, and an integrator's own ``plugins/`` package does
not shadow the built-ins."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

INTEGRATOR_TEST = '''
from kaohe.engine.registry import default_registry


def test_builtins_load_beside_my_plugins():
    import plugins
    assert plugins.MINE
    assert default_registry().get("rater", "direct") is not None
'''


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--disable-pip-version-check", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    (built,) = out.glob("kaohe-*.whl")
    return built


def test_wheel_holds_only_the_kaohe_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"kaohe", next(t for t in tops if t.endswith(".dist-info"))}
    assert "kaohe/cli.py" in names
    assert "kaohe/engine/evaluation/pipeline.py" in names
    assert "kaohe/schemas/ruleset.schema.json" in names


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel (its dependencies come from this interpreter)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True)
    return env_dir


@pytest.fixture
def integrator(tmp_path: Path) -> Path:
    """A project folder with its own ``plugins`` package and a test."""
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "__init__.py").write_text("MINE = True\n", encoding="utf-8")
    (tmp_path / "plugins" / "raters.py").write_text("MINE = True\n", encoding="utf-8")
    (tmp_path / "test_mine.py").write_text(INTEGRATOR_TEST, encoding="utf-8")
    return tmp_path


def run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed / "bin" / "python"), *args], cwd=cwd,
                          capture_output=True, text=True)


def test_imports_from_the_venv_not_the_checkout(installed: Path, integrator: Path) -> None:
    done = run(installed, integrator, "-c", "import kaohe.engine, kaohe.cli; print(kaohe.engine.__file__)")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed)


def test_top_level_engine_is_not_installed(installed: Path, integrator: Path) -> None:
    for name in ("engine", "cli"):
        done = run(installed, integrator, "-c", f"import {name}")
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr


def test_integrator_plugins_folder_does_not_shadow_builtins(installed: Path, integrator: Path) -> None:
    done = run(installed, integrator, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mine.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_installed_cli_validates_a_bundled_ruleset(installed: Path, integrator: Path) -> None:
    done = run(installed, integrator, "-m", "kaohe.cli", "validate", str(ROOT / "rulesets" / "example"))
    assert done.returncode == 0, done.stdout + done.stderr


# -- the store's Alembic migrations: Alembic reads them as files, so they must be package data --


def test_the_wheel_holds_the_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("env.py", "script.py.mako", "versions/0001_initial.py"):
        assert f"kaohe/engine/store/migrations/{name}" in names


def test_an_installed_kaohe_records_a_run(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True)
    db = tmp_path / "results.db"
    work = tmp_path / "work"
    work.mkdir()  # not the checkout: the installed package must be the one imported
    done = subprocess.run([str(python), "-m", "kaohe.cli", "evaluate", str(ROOT / "rulesets" / "example"),
                           "--format", "json", "--store", str(db)], cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([str(python), "-m", "kaohe.cli", "store", "runs", "--store", str(db),
                             "--format", "json"], cwd=work, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert [run["id"] for run in json.loads(listed.stdout)] == [1]
    where = subprocess.run([str(python), "-c", "import kaohe.engine.store.migrate as m; print(m.MIGRATIONS)"],
                           cwd=work, capture_output=True, text=True)
    assert Path(where.stdout.strip()).is_relative_to(env_dir)
