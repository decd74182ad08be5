"""Build hook: the wheel and the sdist carry the built web app, so `pip install` needs no Node.

The app lives in ../frontend and Vite writes it into src/loki_dashboard/static (git-ignored).
When that folder has no index.html the hook builds it; an sdist already carries it, so a wheel
made from an sdist never needs Node. Editable installs serve the folder in place and skip this.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STATIC = Path("src/loki_dashboard/static")


class WebAppBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:  # noqa: ARG002
        if version == "editable":
            return
        root = Path(self.root)
        if (root / STATIC / "index.html").is_file():
            return
        build_web_app(root / ".." / "frontend", root / STATIC)


def build_web_app(frontend: Path, static: Path) -> None:
    """Run the front end's own build (`npm ci` first when its packages are not installed)."""
    if not (frontend / "package.json").is_file():
        raise RuntimeError(
            f"The web app is not built ({static / 'index.html'} is missing) and its sources "
            f"are not at {frontend.resolve()}: build from a full source checkout or an sdist."
        )
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            f"The web app is not built ({static / 'index.html'} is missing) and npm is not on "
            "PATH: install Node 20.19+ with npm, or run `npm ci && npm run build` in frontend/."
        )
    if not (frontend / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=frontend, check=True)
    subprocess.run([npm, "run", "build"], cwd=frontend, check=True)
    if not (static / "index.html").is_file():
        raise RuntimeError(f"The web app build did not write {static / 'index.html'}.")
