"""Where the local environment keeps its state: a git-ignored folder at the repository root."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def state_dir() -> Path:
    """``$SHIPYARD_STATE_DIR`` or ``<repo>/.shipyard``; tests point it at a temporary folder."""
    return Path(os.environ.get("SHIPYARD_STATE_DIR") or REPO_ROOT / ".shipyard")


def run_dir(base: Path | None = None) -> Path:
    path = (base or state_dir()) / "run"
    path.mkdir(parents=True, exist_ok=True)
    return path
