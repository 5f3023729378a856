# -*- coding: utf-8 -*-

# Copyright: (c) 2026, shipyard.aws maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A site.yml report as one self-contained HTML page: an SVG timeline with a bar per phase and, under it, a bar per
component at the time it ran, so components that ran in parallel sit one above the other. No script, no link."""

from __future__ import annotations

import datetime
from html import escape

WIDTH = 960        # the time axis, in pixels
LABEL = 200        # the names on the left
ROW = 22
COLOURS = {"phase": "#5b6770", "applied": "#2f6fb0", "built": "#2f6fb0", "completed": "#2f6fb0",
           "retagged": "#6a9fd4", "unchanged": "#9db7a5", "would change": "#d9a441", "failed": "#c0392b"}


def render(report):
    rows = _rows(report)
    span = max(float(report.get("seconds") or 0), 0.001)
    height = ROW * (len(rows) + 2)
    bars = []
    for index, row in enumerate(rows):
        y = ROW * (index + 1)
        x = LABEL + WIDTH * max(0.0, row["start"]) / span
        width = max(2.0, WIDTH * row["seconds"] / span)
        colour = COLOURS.get(row["result"], "#7f8c8d") if row["kind"] != "phase" else COLOURS["phase"]
        title = f"{row['label']}: {row['result']}, {row['seconds']:.1f} s, from +{row['start']:.1f} s"
        weight = "bold" if row["kind"] == "phase" else "normal"
        indent = 8 if row["kind"] == "phase" else 24
        bars.append(
            f'<g><title>{escape(title)}</title>'
            f'<text x="{indent}" y="{y + 15}" font-weight="{weight}">{escape(row["label"])}</text>'
            f'<rect class="{escape(row["kind"])}" x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" '
            f'fill="{colour}" data-start="{row["start"]:.3f}" data-seconds="{row["seconds"]:.3f}"/>'
            f'<text x="{min(x + width + 4, LABEL + WIDTH + 4):.1f}" y="{y + 15}" class="secs">{row["seconds"]:.1f} s</text></g>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL + WIDTH + 80}" height="{height}" '
           f'font-family="sans-serif" font-size="12">{_axis(span, height)}{"".join(bars)}</svg>')
    started = datetime.datetime.fromtimestamp(report["started"], datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    title = f"{report['playbook']} on {report['environment']}, {started}"
    facts = "".join(f"<li>{escape(line)}</li>" for line in report.get("summary_lines") or [])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>body{{font-family:sans-serif;margin:24px}}"
        ".secs{fill:#555}ul{line-height:1.5}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(report['result'])}"
        f"{' (check mode)' if report.get('check_mode') else ''} in {float(report['seconds']):.1f} s. "
        "Each bar starts when its phase or component started; bars one above the other ran at the same time.</p>"
        f"<p>{_legend()}</p>{svg}<ul>{facts}</ul></body></html>\n"
    )


def _legend():
    keys = ("phase", "applied", "retagged", "unchanged", "would change", "failed")
    return " ".join(f'<span style="display:inline-block;width:12px;height:12px;background:{COLOURS[key]}"></span> '
                    f'{escape(key if key != "applied" else "applied / built / rolled out")}' for key in keys)


def _rows(report):
    """A row per phase, then one per component of it, with start times relative to the run's start."""
    origin = float(report["started"])
    rows = []
    for phase in report["phases"]:
        rows.append({"kind": "phase", "label": phase["name"], "start": phase["started"] - origin,
                     "seconds": float(phase["seconds"]), "result": "phase"})
        for component in sorted(phase["components"], key=lambda c: (c["started"], c["name"])):
            rows.append({"kind": component["kind"], "label": f"{component['kind']} {component['name']}",
                         "start": component["started"] - origin, "seconds": float(component["seconds"]),
                         "result": component["result"]})
    return rows


def _axis(span, height):
    """Ticks at a round number of seconds, about ten across."""
    step = next(s for s in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600, 10 ** 9) if span / s <= 12)
    ticks = []
    tick = 0
    while tick <= span:
        x = LABEL + WIDTH * tick / span
        ticks.append(f'<line x1="{x:.1f}" y1="{ROW - 4}" x2="{x:.1f}" y2="{height - ROW}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{ROW - 8}" text-anchor="middle" fill="#555">{tick} s</text>')
        tick += step
    return "".join(ticks)
