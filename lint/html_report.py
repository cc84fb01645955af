"""`tunelint report`'s page: one self-contained HTML file (no network needed to open it).

What the page shows is worked out elsewhere (`stats`, `check`, `composition`); this module
only lays it out. The page is written with Jinja2 templates with autoescaping on: every
text that comes from the data (tool names, messages, excerpts of rows, system prompts,
file names) is escaped where it is written, and the charts' data travels as JSON in a
`<script type="application/json">` element with `<`, `>` and `&` escaped, so a row that
holds `</script>` stays text. The charts are drawn in the browser by Chart.js, vendored
with its licence under `report_assets/` and inlined into the page.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from importlib.resources import files
from typing import Any

import orjson

from .composition import Composition, SystemPrompt
from .findings_summary import GROUPED, FindingsSummary
from .model import Severity
from .stats import Lengths

ASSETS = "report_assets"
CHART_JS = "chart.umd.min.js"  # Chart.js 4.6.1 (MIT), from the npm package's dist/: see report_assets/README.md
HISTOGRAM_BINS = 30
LIMIT_REACH = 4  # the histogram's ranges reach on to a limit at most this many times the longest example
MAX_TOOLS = 25  # bars in the calls-per-tool chart (the table lists every tool up to MAX_TOOL_ROWS)
MAX_TOOL_ROWS = 200
MAX_NAMES = 100  # tools named in the never-called / undeclared lists
MAX_PROMPTS = 10
UNIQUE_SAMPLES = 3  # prompts shown when no two rows share one (a chart of ones says nothing)
MAX_TURN_BARS = 40


@dataclass
class FileSection:
    """One file of the report: its role (training or validation) and what was found in it."""

    role: str
    path: str  # as the user named it
    location: str  # its absolute path, for the editor links of its lines
    stats: dict[str, Any]  # `tunelint stats --output-format json`'s entry for the file
    lengths: list[tuple[int, int]]  # (tokens, examples of that many tokens), ascending
    composition: Composition
    prompts: list[SystemPrompt]
    findings: FindingsSummary
    # The file priced on each known target's default model (see `platform_costs`).
    platforms: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ReportPage:
    sections: list[FileSection]
    version: str
    model: str
    models_checked: str  # the date the model facts (limits, prices) were read
    enabled: frozenset[str] = frozenset()  # the codes of the rules the check ran
    target: str = "openai"  # the platform the findings, limits and prices are for (`--target`)
    target_title: str = "OpenAI fine-tuning"
    made_at: datetime = field(default_factory=lambda: made_at())


def made_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible-builds.org's variable): the same
    data then gives the same page, byte for byte, which a CI artefact can be diffed on."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)


def render(page: ReportPage) -> str:
    """The whole page, as one string (its size does not grow with the rows: every list is capped)."""
    template = _environment().get_template("report.html.j2")
    charts = {f"file{i}": chart_data(section) for i, section in enumerate(page.sections)}
    return template.render(page=page, charts_json=script_json(charts), chart_js=_asset(CHART_JS),
                           report_js=_asset("report.js"), report_css=_asset("report.css"),
                           severities=(Severity.ERROR, Severity.WARNING, Severity.INFO),
                           limits={"tools": MAX_TOOL_ROWS, "names": MAX_NAMES, "reach": LIMIT_REACH}, spread=spread,
                           rule_of={kind: code for code, kind in GROUPED.items()})


def spread(counts: Counter) -> dict[str, int]:
    """min, median and max of values given as a count of each (the stats' percentiles)."""
    values = Lengths(counts)
    return {"min": values.min(), "median": values.percentile(0.5), "max": values.max()}


def script_json(value: Any) -> str:
    """JSON safe inside a `<script>` element: `</script>`, `<!--` and the like cannot end
    or change it (the characters that could are written as escapes)."""
    text = orjson.dumps(value).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_data(section: FileSection) -> dict[str, Any]:
    """What the page's script draws for one file (every list capped)."""
    found = section.composition
    calls = found.calls.most_common(MAX_TOOLS)
    return {
        "limit": section.stats["limit"],
        "model": section.stats["model"],
        "histogram": token_bins(section.lengths, section.stats["limit"]),
        "tools": {"names": [name for name, _ in calls], "calls": [n for _, n in calls],
                  "declared": [found.declared.get(name, 0) for name, _ in calls]},
        "turns": turn_bins(found.turns),
        "prompts": {"labels": [prompt_label(i, p) for i, p in enumerate(section.prompts)],
                    "rows": [p.rows for p in section.prompts]},
    }


def prompt_label(index: int, prompt: SystemPrompt) -> str:
    return f"#{index + 1} (no system prompt)" if prompt.text is None else f"#{index + 1} (line {prompt.first_line:,})"


def token_bins(lengths: list[tuple[int, int]], limit: int | None, bins: int = HISTOGRAM_BINS) -> list[dict[str, int]]:
    """Examples per range of token counts: ranges spaced on a log scale (linear for a narrow
    spread) from the shortest example to the longest, each [lo, hi] inclusive. The ranges
    reach on to the limit when it is near (within LIMIT_REACH times the longest example),
    so it falls on the chart; a limit further off is marked at the chart's edge instead
    (ranges stretched to it would squeeze every example into a few bars). No limit (a
    target that publishes none): the ranges span the examples only."""
    if not lengths:
        return []
    low, high = lengths[0][0], lengths[-1][0]
    if limit is not None and high < limit <= high * LIMIT_REACH:
        high = limit
    if high - low + 1 <= bins:
        edges = list(range(low, high + 2))
    elif low > 0 and high / low > 4:
        ratio = (high + 1) / low
        edges = sorted({round(low * ratio ** (i / bins)) for i in range(bins + 1)})
    else:
        edges = sorted({low + round((high + 1 - low) * i / bins) for i in range(bins + 1)})
    edges[-1] = high + 1
    counts = [0] * (len(edges) - 1)
    i = 0
    for n, count in lengths:  # both ascending: one walk
        while n >= edges[i + 1]:
            i += 1
        counts[i] += count
    return [{"lo": edges[i], "hi": edges[i + 1] - 1, "examples": counts[i]} for i in range(len(counts))]


def turn_bins(turns: Counter, bars: int = MAX_TURN_BARS) -> list[dict[str, int]]:
    """Rows per number of messages, one bar per count, or per range of counts when they spread wide."""
    if not turns:
        return []
    low, high = min(turns), max(turns)
    width = max(1, math.ceil((high - low + 1) / bars))
    counts: Counter = Counter()
    for n, rows in turns.items():
        counts[(n - low) // width] += rows
    return [{"lo": low + k * width, "hi": min(high, low + (k + 1) * width - 1), "rows": counts.get(k, 0)}
            for k in range((high - low) // width + 1)]


@cache
def _asset(name: str) -> str:
    return files(__package__).joinpath(ASSETS, name).read_text(encoding="utf-8")


@cache
def _environment():
    import jinja2  # only `report` needs it: a check never imports it

    env = jinja2.Environment(loader=jinja2.FunctionLoader(_asset), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["n"] = lambda value: f"{value:,}"
    env.filters["usd"] = lambda value: f"${value:,.2f}"
    env.filters["plural"] = lambda count, word: f"{count:,} {word}{'' if count == 1 else 's'}"
    env.filters["editor"] = _editor_link
    return env


def _editor_link(location: str, line: int, col: int = 1) -> str:
    """A link that opens the row in VS Code (`vscode://file/PATH:LINE:COL`)."""
    from urllib.parse import quote

    return f"vscode://file{quote(location, errors='surrogateescape')}:{line}:{col}"  # a name's own bytes
