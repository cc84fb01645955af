"""`tunelint report`'s page in a real browser: Debian's Chromium, headless, driven by
Playwright (the `playwright` Python package of the test extras, with Chromium given by
path: nothing is downloaded), with the network off.

What a person would see is asserted from the rendered page: the charts are drawn (each
canvas has a size and pixels that are not all background), the numbers in the page are
those of `tunelint stats --output-format json` and `tunelint check --output-format json`,
markup from the rows stays text, dark mode and print change what they should. The
screenshots stay in the test's tmp folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from external import require
from report_fixture import ATTACK, write_pair

INSTALL = "apt-get install chromium (Debian/Ubuntu); .ci/run installs it"
CHARTS_PER_FILE = 4  # tokens, tools, turns, system prompts


def tunelint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tunelint.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The fixture pair's report, and what `stats` and `check` say of the same files."""
    folder = tmp_path_factory.mktemp("report")
    write_pair(folder)
    done = tunelint("report", "train.jsonl", "--validation", "valid.jsonl", "-o", "report.html", cwd=folder)
    assert done.returncode == 0, done.stderr
    stats = json.loads(tunelint("stats", "--output-format", "json", "train.jsonl", "valid.jsonl", cwd=folder).stdout)
    check = json.loads(tunelint("check", "--output-format", "json", "train.jsonl", "--validation", "valid.jsonl",
                                cwd=folder).stdout)
    return folder, stats, check


@pytest.fixture(scope="module")
def browser():
    chromium = require("chromium", INSTALL, "chromium-browser")
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs playwright")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        launched.close()


def open_page(browser, path: Path, scheme: str = "light", init_script: str | None = None):
    """The page opened offline; every request it makes is recorded (and refused past the file itself)."""
    context = browser.new_context(offline=True, color_scheme=scheme, viewport={"width": 1200, "height": 900})
    if init_script:
        context.add_init_script(init_script)
    requests: list[str] = []
    problems: list[str] = []

    def route(request_route):
        requests.append(request_route.request.url)
        if request_route.request.url == path.as_uri():
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-charts]", timeout=30_000)
    return context, page, requests, problems


CANVASES = """() => [...document.querySelectorAll('canvas[data-chart]')].map(canvas => {
  const box = canvas.getBoundingClientRect();
  const context = canvas.getContext('2d');
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { drawn += 1; } }
  const chart = Chart.getChart(canvas);
  return {kind: canvas.dataset.chart, file: canvas.closest('section').dataset.file, width: box.width,
          height: box.height, drawn: drawn, labels: chart ? chart.data.labels : null,
          data: chart ? chart.data.datasets.map(d => d.data) : null};
})"""


def number(text: str) -> float:
    return float(text.strip().replace(",", "").replace("$", ""))


def test_the_page_renders_offline_with_the_numbers_of_stats_and_check(made, browser):
    folder, stats, check = made
    context, page, requests, problems = open_page(browser, folder / "report.html")
    try:
        page.screenshot(path=str(folder / "report-light.png"), full_page=True)
        assert requests == [(folder / "report.html").as_uri()]  # nothing fetched: it is all in the file
        assert problems == []
        assert page.evaluate("window.__pwned") is None  # the row's markup did not run

        charts = page.evaluate(CANVASES)
        assert Counter(c["file"] for c in charts) == {"file0": CHARTS_PER_FILE, "file1": CHARTS_PER_FILE}
        for chart in charts:
            assert chart["width"] > 100 and chart["height"] > 100, chart
            assert chart["drawn"] > 1000, chart  # pixels were painted: bars, axes, labels
        by = {(c["file"], c["kind"]): c for c in charts}

        for index, file_stats in enumerate(stats):
            section = page.locator(f"section#file{index}")
            # Every number the page shows with a key is the one of `stats --output-format json`.
            keyed = section.locator("[data-key]")
            seen = set()
            for i in range(keyed.count()):
                key = keyed.nth(i).get_attribute("data-key")
                expected = file_stats
                for part in key.split("."):
                    expected = expected.get(part) if isinstance(expected, dict) else None
                if expected is None:
                    continue  # the page's own figures (findings, turns, prompts): checked below
                seen.add(key)
                assert number(keyed.nth(i).inner_text()) == expected, key
            assert {"examples", "total_tokens", "billed_tokens_per_epoch", "epochs", "estimate.cost_usd", "over_limit",
                    "limit", "tokens_per_example.median", "tokens_per_example.p95"} <= seen
            # The histogram counts every example; its table is stats' own ranges.
            assert sum(by[f"file{index}", "histogram"]["data"][0]) == file_stats["examples"]
            rows = section.locator('table[data-table="histogram"] td[data-examples]')
            assert [number(rows.nth(i).inner_text(timeout=1000)) if rows.nth(i).is_visible() else
                    number(rows.nth(i).text_content()) for i in range(rows.count())] == \
                [b["examples"] for b in file_stats["histogram"]]
            # The cost table, model by model.
            for model in file_stats["other_models"]:
                row = section.locator(f'table[data-table="cost"] tr[data-model="{model["model"]}"]')
                for column in ("epochs", "billed_tokens_per_epoch", "billed_tokens", "over_limit", "cost_usd"):
                    assert number(row.locator(f'td[data-col="{column}"]').inner_text()) == model[column], (model, column)

        # Findings per rule and file: the counts of `check --output-format json`.
        for index, name in enumerate(("train.jsonl", "valid.jsonl")):
            expected = Counter(v["code"] for v in check if Path(v["filename"]).name == name)
            shown = page.evaluate(f"""() => Object.fromEntries([...document.querySelectorAll(
                '#file{index} table[data-table="findings"] tr[data-rule]')].map(
                row => [row.dataset.rule, Number(row.querySelector('[data-count]').textContent.replace(/,/g, ''))]))""")
            assert shown == dict(expected)

        # The tools chart names the tool with markup as text, next to the others.
        tools = by["file0", "tools"]
        assert dict(zip(tools["labels"], tools["data"][0])) == {"get_weather": 15, "book_table": 2, ATTACK: 1}
        groups = page.locator('#file0 [data-groups="duplicates"] li')
        assert [groups.nth(i).inner_text() for i in range(groups.count())] == ["1, 15, 16", "3, 17"]
        assert page.locator('#file0 [data-groups="contradictions"] li').inner_text() == "13, 14"
        assert page.locator('#file0 [data-list="never-called"]').inner_text() == "Declared but never called: refund (18 rows)"
    finally:
        context.close()


def test_a_rule_count_opens_its_findings(made, browser):
    folder, _, _ = made
    context, page, _, _ = open_page(browser, folder / "report.html")
    try:
        details = page.locator("details#file0-TLD001")
        assert not details.evaluate("d => d.open")
        page.locator('#file0 tr[data-rule="TLD001"] [data-count] a').click()
        assert details.evaluate("d => d.open")
        assert details.locator("ol.violations li").count() == 3
        first = details.locator("a.line").first
        assert first.inner_text() == "line 15:1"
        assert first.get_attribute("href") == f"vscode://file{folder}/train.jsonl:15:1"
    finally:
        context.close()


def test_dark_mode_and_print(made, browser):
    folder, _, _ = made
    context, page, _, problems = open_page(browser, folder / "report.html", scheme="dark")
    try:
        page.screenshot(path=str(folder / "report-dark.png"), full_page=True)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
        tick = page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart=histogram]')).options.scales.x.ticks.color")
        assert tick == "#9198a1"  # the charts took the dark palette
        # Print: a white page, no navigation, every rule's findings unfolded, charts redrawn in the print palette.
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
        assert not page.locator("nav.toc").is_visible()
        assert page.locator("details#file0-TLD001 ol.violations").is_visible()
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        tick = page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart=histogram]')).options.scales.x.ticks.color")
        assert tick == "#444c56"
        pdf = folder / "report.pdf"
        page.pdf(path=str(pdf))
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.evaluate("document.querySelectorAll('details[open]').length") == 0
        assert problems == []
    finally:
        context.close()


# Every text drawn on a canvas, recorded before the page's scripts run.
DRAWN_TEXT = """window.__drawnText = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
  window.__drawnText.push(String(text));
  return fillText.call(this, text, ...rest);
};"""


def test_a_target_page_renders_with_no_limit_and_no_price(browser, tmp_path):
    """`report --target mistral`: Mistral publishes no per-example limit and tunelint
    records no price for it. The page still draws every chart (no limit line, no script
    error), shows "no published price" where a cost would be, and counts the findings of
    `check --target mistral`."""
    write_pair(tmp_path)
    done = tunelint("report", "train.jsonl", "--target", "mistral", "-o", "report.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    check = json.loads(tunelint("check", "--target", "mistral", "--output-format", "json", "train.jsonl",
                                cwd=tmp_path).stdout)
    context, page, requests, problems = open_page(browser, tmp_path / "report.html", init_script=DRAWN_TEXT)
    try:
        assert problems == []
        drawn = page.evaluate("window.__drawnText")
        assert drawn and not [t for t in drawn if t.startswith("limit")], drawn  # no limit line, no "limit 0"
        charts = page.evaluate(CANVASES)
        assert len(charts) == CHARTS_PER_FILE and all(c["drawn"] > 1000 for c in charts), charts
        assert page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart=histogram]'))"
                             ".options.plugins.tunelintLimit.limit") is None
        assert page.locator('[data-key="target"]').inner_text() == "mistral"
        assert page.locator('#file0 [data-key="estimate.cost_usd"]').inner_text() == "no published price"
        assert page.locator('#file0 [data-key="over_limit"]').inner_text() == "unknown"
        costs = page.locator('#file0 table[data-table="cost"] td[data-col="cost_usd"]')
        assert {costs.nth(i).inner_text() for i in range(costs.count())} == {"no published price"}
        shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
            '#file0 table[data-table="findings"] tr[data-rule]')].map(
            row => [row.dataset.rule, Number(row.querySelector('[data-count]').textContent.replace(/,/g, ''))]))""")
        assert shown == dict(Counter(v["code"] for v in check)) and "TLT017" in shown
    finally:
        context.close()
