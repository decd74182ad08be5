"""The wheel and the sdist carry the built web app, so `pip install` users need no Node.

Each test works on a copy of the source tree without the git-ignored static/ folder, as a fresh
clone has it, and builds with pip (and hatchling's own CLI for the sdist) as a user would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
STATIC = "loki_dashboard/static/"
pytestmark = pytest.mark.slow


def copy_backend(dest: Path) -> Path:
    """backend/ as a fresh clone has it: no built app, no caches."""
    ignore = shutil.ignore_patterns("static", "__pycache__", ".*_cache", "*.db*")
    shutil.copytree(REPO / "backend", dest / "backend", ignore=ignore)
    return dest / "backend"


def pip(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean copy of backend/ and frontend/; the front end's installed packages are shared
    (linked) so the build does not download them again."""
    root = tmp_path_factory.mktemp("clone")
    copy_backend(root)
    shutil.copytree(
        REPO / "frontend", root / "frontend", ignore=shutil.ignore_patterns("node_modules")
    )
    modules = REPO / "frontend" / "node_modules"
    if modules.exists():
        (root / "frontend" / "node_modules").symlink_to(modules.resolve())
    return root


@pytest.fixture(scope="module")
def wheel(tree: Path) -> Path:
    assert not (tree / "backend" / "src" / STATIC).exists()
    built = pip("wheel", "--no-deps", "-w", "dist", "./backend", cwd=tree)
    assert built.returncode == 0, built.stdout + built.stderr
    return next((tree / "dist").glob("loki_dashboard-*.whl"))


def test_a_wheel_from_a_clean_tree_builds_and_carries_the_web_app(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert STATIC + "index.html" in names
    page = zipfile.ZipFile(wheel).read(STATIC + "index.html").decode()
    scripts = [n for n in names if n.startswith(STATIC + "assets/") and n.endswith(".js")]
    assert scripts
    # The page loads an entry script that is in the wheel too.
    assert any(name.removeprefix(STATIC) in page for name in scripts)


def test_a_wheel_from_the_sdist_needs_no_front_end(tree: Path, wheel: Path, tmp_path: Path) -> None:
    assert wheel.is_file()  # the app is built in the tree now, as before any sdist
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    installed = pip("--python", str(venv / "bin" / "python"), "install", "hatchling", cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    sdist = subprocess.run(
        [str(venv / "bin" / "hatchling"), "build", "-t", "sdist", "-d", str(tmp_path / "sd")],
        cwd=tree / "backend",
        capture_output=True,
        text=True,
        check=False,
    )
    assert sdist.returncode == 0, sdist.stderr
    archive = next((tmp_path / "sd").glob("loki_dashboard-*.tar.gz"))
    with tarfile.open(archive) as tar:
        assert any(n.endswith("src/" + STATIC + "index.html") for n in tar.getnames())
        tar.extractall(tmp_path / "unpacked", filter="data")
    # No frontend/ beside the unpacked sdist: the wheel must come from the files it carries.
    source = next((tmp_path / "unpacked").iterdir())
    built = pip("wheel", "--no-deps", "-w", str(tmp_path / "wd"), str(source), cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    from_sdist = next((tmp_path / "wd").glob("loki_dashboard-*.whl"))
    assert STATIC + "index.html" in zipfile.ZipFile(from_sdist).namelist()


def test_a_tree_without_the_app_or_its_sources_fails_with_a_clear_message(
    tmp_path: Path,
) -> None:
    backend = copy_backend(tmp_path)
    built = pip("wheel", "--no-deps", "-w", "dist", str(backend), cwd=tmp_path)
    assert built.returncode != 0
    assert "The web app is not built" in built.stdout + built.stderr
    assert not list(tmp_path.glob("dist/*.whl"))
