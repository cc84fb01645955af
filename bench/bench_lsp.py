"""Language-server latency, driven over stdio like a client.

    python bench/bench_lsp.py [--rows 10000] [--edits 50]

Opens an N-row document and times didOpen -> the first publishDiagnostics (the top rows'
findings, published first for a large document) and -> the complete set, then makes one-line
edits (one character in a random row) and times didChange -> the new diagnostics, with
the debounce set to 0 so only the server's own work is measured. Prints median and p95.
Diagnostics count from when their message arrives and is decoded as JSON (see below).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(Path(__file__).parent))
from dataset import write_dataset  # noqa: E402


async def run(rows: int, edits: int, show_all: bool = False) -> None:
    path = write_dataset(rows, f"train_{rows}")
    text = path.read_text("utf-8")
    lines = text.split("\n")
    client = LanguageClient("bench", "1")
    published: asyncio.Queue = asyncio.Queue()

    arrived: dict[int | None, float] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait((arrived.pop(params.version, time.perf_counter()), params.version, len(params.diagnostics)))

    # A publication counts from when it arrives, decoded: pygls' test client then spends
    # milliseconds turning hundreds of diagnostics into typed objects, which an editor does not.
    structure = client.protocol.structure_message

    def timed_structure(data):
        if isinstance(data, dict) and data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            arrived[(data.get("params") or {}).get("version")] = time.perf_counter()
        return structure(data)

    client.protocol.structure_message = timed_structure

    await client.start_io(sys.executable, "-m", "tunelint.cli", "server")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(),
                                                         initialization_options={"debounce": 0}))
    client.initialized(types.InitializedParams())
    uri = path.resolve().as_uri()
    start = time.perf_counter()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "jsonl", 1, text)))
    sent = time.perf_counter()  # pygls' client has built and serialised the 38 MB message by now
    first, _, first_count = done, _, count = await published.get()
    # A large document's first lint publishes the top rows' findings first, then all of
    # them: the last publication of version 1 (none comes for 5 s after it) is the whole set.
    while True:
        try:
            done, _, count = await asyncio.wait_for(published.get(), 5)
        except asyncio.TimeoutError:
            break
    print(f"document           {rows:,} rows, {len(text) / 1e6:,.0f} MB")
    print(f"open -> first diagnostics {(first - start) * 1000:7.0f} ms ({first_count} diagnostics, the top rows'); "
          f"{(first - sent) * 1000:.0f} ms after the message was serialised")
    print(f"open -> all diagnostics   {(done - start) * 1000:7.0f} ms ({count} diagnostics); "
          f"{(done - sent) * 1000:.0f} ms after the message was serialised")
    print(f"                          (the test client takes {(sent - start) * 1000:.0f} ms to serialise didOpen)")
    rng = random.Random(3)
    latencies = []
    for version in range(2, edits + 2):
        line = rng.randrange(len(lines) - 1)
        column = lines[line].index('"content": "') + len('"content": "')  # inside a string: stays valid JSON
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, column), types.Position(line, column)), text="x")
        lines[line] = lines[line][:column] + "x" + lines[line][column:]
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]))
        while True:
            done, got, _ = await published.get()
            if got == version:
                break
        latencies.append((done - start) * 1000)
    if show_all:
        print(" ".join(f"{x:.0f}" for x in latencies))
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    print(f"edit -> diagnostics median {statistics.median(latencies):5.1f} ms, p95 {p95:5.1f} ms over {edits} edits")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--all", action="store_true", help="also print every edit's latency, in order")
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.edits, args.all))


if __name__ == "__main__":
    main()
