"""docs/benchmarks.md is shared: each benchmark script rewrites only its own `## ` section, and hand-written
sections stay as they are."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_section(title: str, body: list[str], path: Path = DOCS) -> None:
    """Put `## title` followed by `body` in place of that section, or at the end when it is not there yet."""
    section = "\n".join([f"## {title}", "", *body, ""])
    text = path.read_text() if path.exists() else "# Benchmarks\n\nWritten by `make bench`; raw numbers in bench/results/.\n\n"
    start = text.find(f"## {title}\n")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
