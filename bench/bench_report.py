"""`tunelint report` on the benchmark dataset: time, peak memory and the page's size, next
to `check` and `stats` on the same file in the same sitting (a report runs both, plus one
pass for tools, turns and system prompts), then how long a browser takes to draw it.

    python bench/bench_report.py [--rows 100000] [--jobs N] [--screenshot PATH]

With `--screenshot`, Debian's Chromium (headless, through the `playwright` package of the
test extras, offline) opens the page, times it until its charts are drawn, and saves a
full-page screenshot at PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_check import run_command  # noqa: E402
from dataset import write_dataset  # noqa: E402


def browse(page_path: Path, screenshot: Path) -> float:
    """Seconds from opening the page to its charts drawn (offline), and a screenshot saved."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(page_path.as_uri())
        page.wait_for_selector("html[data-charts]")
        drawn = time.perf_counter() - start
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return drawn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--screenshot", type=Path, help="save a full-page screenshot of the report here")
    args = parser.parse_args()
    path = write_dataset(args.rows, f"train_{args.rows}")
    jobs = ("--jobs", str(args.jobs))
    print(f"{path.name}: {args.rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB, --jobs {args.jobs}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        wall, peak, code = run_command("report", *jobs, str(path), "-o", str(out))
        size = out.stat().st_size if out.exists() else 0
        print(f"  report   {wall:7.2f} s  peak {peak:5.0f} MB  page {size / 1024:,.0f} KB  exit {code}", flush=True)
        for name, command in (("check", ("check", "--output-format", "concise", "--exit-zero", "--no-progress")),
                              ("stats", ("stats",))):
            wall, peak, code = run_command(*command, *jobs, str(path))
            print(f"  {name:<8} {wall:7.2f} s  peak {peak:5.0f} MB  exit {code}", flush=True)
        if args.screenshot and size:
            drawn = browse(out, args.screenshot)
            print(f"  browser  {drawn:7.2f} s  to the charts drawn (Chromium, offline); screenshot {args.screenshot}")


if __name__ == "__main__":
    main()
