"""Write (or check) the generated pictures in docs/architecture.md and README.md.

    python -m diagrams            rewrite the generated blocks
    python -m diagrams --check    exit 1 when a generated block is out of date (tests run this)

A generated block sits between `<!-- BEGIN generated:<name> -->` and `<!-- END generated:<name> -->`.
"""

from __future__ import annotations

import argparse
import re
import sys

from diagrams.inventory import ENVIRONMENTS, REPO_ROOT, components
from diagrams.mermaid import component_graph, network_layout

TARGETS = {"docs/architecture.md": ENVIRONMENTS, "README.md": ("production",)}


def blocks(environments) -> dict[str, str]:
    rendered = {}
    for env in environments:
        graph = components(env)
        if not graph:
            continue
        rendered[f"components-{env}"] = f"```mermaid\n{component_graph(graph)}\n```"
        rendered[f"network-{env}"] = f"```mermaid\n{network_layout(graph)}\n```"
    return rendered


def render(text: str, rendered: dict[str, str]) -> str:
    def replace(match):
        name = match.group(1)
        if name not in rendered:
            return match.group(0)
        return f"<!-- BEGIN generated:{name} -->\n{rendered[name]}\n<!-- END generated:{name} -->"

    return re.sub(r"<!-- BEGIN generated:([\w-]+) -->.*?<!-- END generated:\1 -->", replace, text, flags=re.S)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diagrams", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the generated blocks are current")
    args = parser.parse_args(argv)
    stale = []
    for relative, environments in TARGETS.items():
        path = REPO_ROOT / relative
        current = path.read_text(encoding="utf-8")
        wanted = render(current, blocks(environments))
        if wanted != current:
            stale.append(relative)
            if not args.check:
                path.write_text(wanted, encoding="utf-8")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run `make diagrams` and commit the result", file=sys.stderr)
        return 1
    print("\n".join(f"{'stale' if args.check else 'wrote'} {p}" for p in stale) or "diagrams are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
