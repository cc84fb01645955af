"""The VS Code extension (editors/vscode) in a real VS Code: code-server 4.100.3 (VS Code
1.100.3) driven in Debian's headless Chromium by playwright-core (tests/vscode/drive.cjs).

The .vsix is built from the source here and installed into a code-server whose home,
XDG folders and TMPDIR are the test's own; only 127.0.0.1 is used; code-server (with its
extension host and the language server) and the browser each run in their own process
group, ended at the end. What the Problems panel shows is compared with what
`tunelint check` prints for the same text, and the file on disk with what
`tunelint check --fix` writes. Screenshots go to tests/vscode/artifacts/ (CI keeps them).

.ci/run installs what it needs: Node and Chromium (apt), and `npm ci` in editors/vscode and
tests/vscode. On a machine without them the test is skipped with how to install them.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from external import require
from helpers import clean_rows, jsonl

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "editors" / "vscode"
HARNESS = ROOT / "tests" / "vscode"
ARTIFACTS = HARNESS / "artifacts"
NPM_HINT = ("run `bash tests/vscode/install.sh` (npm ci of the pinned code-server, playwright-core and vsce; "
            "it needs Node.js 20+, and libkrb5-dev and ripgrep from apt)")
QUIET_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "git.enabled": False,
    "editor.minimap.enabled": False,
    # code-server saves after a delay by default; the test saves when it means to.
    "files.autoSave": "off",
    # Text is put in as a paste would be, not completed or wrapped in pairs as typing is.
    "editor.autoClosingBrackets": "never",
    "editor.autoClosingQuotes": "never",
    "editor.autoClosingOvertype": "never",
    "editor.autoSurround": "never",
    "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
    "editor.suggestOnTriggerCharacters": False,
}
SEVERITY = {"error": "error", "warning": "warning", "info": "info"}


def dataset() -> list[str]:
    """Twelve valid rows made wrong in known ways, one row a line:
    3: a role in the wrong case (TLS004, safe fix), with an accented word before it, so the
       column counts characters, not bytes;
    6: a `developer` turn in a supervised row (TLS013, safe fix);
    9: a whitespace-only user turn (TLC001, no fix);
    11: a row cut short (TLJ001); and the file as a whole is small (TLD005 at 1:1)."""
    rows = clean_rows(12)
    rows[2]["messages"].insert(0, {"role": "system", "content": "Réponds en une phrase."})
    rows[2]["messages"][1]["role"] = "User"
    rows[5]["messages"].insert(0, {"role": "developer", "content": "You are a weather assistant."})
    rows[8]["messages"][0]["content"] = "   "
    lines = jsonl(*rows).splitlines()
    lines.insert(10, '{"messages": [{"role": "user", "content": "Hi"}')
    return lines


def text_of(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


class Tunelint:
    """`tunelint check` (the installed one, as the editor's) on texts kept in a folder of their own."""

    def __init__(self, executable: Path, folder: Path) -> None:
        self.executable, self.folder = executable, folder
        folder.mkdir()

    def _file(self, text: str) -> Path:
        path = self.folder / "train.jsonl"
        path.write_text(text, encoding="utf-8")
        return path

    def findings(self, text: str, *options: str) -> list[dict]:
        out = subprocess.run([str(self.executable), "check", "--output-format", "json", "--no-progress", *options,
                              str(self._file(text))], capture_output=True, text=True, timeout=60)
        assert out.returncode in (0, 1), out.stderr
        return json.loads(out.stdout)

    def panel(self, text: str, *options: str) -> list[dict]:
        """The Problems panel rows these findings make, sorted as the driver's are compared."""
        rows = [{"severity": SEVERITY[f["severity"]], "message": f["message"], "code": f["code"], "source": "tunelint",
                 "line": f["location"]["row"], "column": f["location"]["column"]} for f in self.findings(text, *options)]
        return sorted(rows, key=lambda r: (r["line"], r["column"], r["code"]))

    def fixed(self, text: str) -> str:
        path = self._file(text)
        out = subprocess.run([str(self.executable), "check", "--fix", "--exit-zero", "--no-progress", str(path)],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return path.read_text(encoding="utf-8")


def sorted_rows(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (r["line"], r["column"], r["code"]))


def assert_panel(driver: "Driver", expected: list[dict], step: str) -> None:
    """The Problems panel lists exactly `expected` (waiting for it a while, as a person would)."""
    shown = sorted_rows(driver("problems", expect=expected)["rows"])
    if shown != expected:
        driver.shot(f"failed-{step}")
        def lines(rows):
            return "\n".join(f"  {r['line']}:{r['column']} {r['code']} {r['severity']} {r['message']} ({r['source']})" for r in rows)
        pytest.fail(f"{step}: the Problems panel shows\n{lines(shown)}\nbut tunelint check gives\n{lines(expected)}")


class Driver:
    """tests/vscode/drive.cjs: one JSON command a line, one JSON answer a line."""

    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process, self.log = process, log
        self.selector = selectors.DefaultSelector()
        self.selector.register(process.stdout, selectors.EVENT_READ)

    def __call__(self, op: str, timeout: float = 120, **args) -> dict:
        self.process.stdin.write(json.dumps({"op": op, **args}) + "\n")
        self.process.stdin.flush()
        if not self.selector.select(timeout):
            pytest.fail(f"the browser driver did not answer `{op}` within {timeout} s; its log: {self.log}")
        line = self.process.stdout.readline()
        if not line:
            pytest.fail(f"the browser driver ended during `{op}`: {self.log.read_text()[-2000:]}")
        answer = json.loads(line)
        if not answer.pop("ok"):
            self.shot(f"failed-{op}")
            pytest.fail(f"`{op}` failed in the browser: {answer['error']}")
        return answer

    def shot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.process.stdin.write(json.dumps({"op": "screenshot", "path": str(path)}) + "\n")
        self.process.stdin.flush()
        if self.selector.select(30):
            self.process.stdout.readline()
        return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def end_group(process: subprocess.Popen) -> None:
    """Ends a process and everything in its process group (SIGTERM, then SIGKILL)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
            time.sleep(0.3)  # the group's other members get the signal too; give them a moment
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        process.kill()


def processes_with(marker: str) -> list[str]:
    """The processes whose environment holds `marker` (this test's HOME)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    found.append(f"{entry.name}: {command[:200]}")
            except OSError:
                continue
    return found


def wait_healthy(port: int, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"code-server exited ({process.returncode}): {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"code-server did not answer on 127.0.0.1:{port} within {timeout} s: {log.read_text()[-3000:]}")


@pytest.fixture
def short_tmp():
    """A folder of the test's own with a short path: Chromium and VS Code put Unix sockets
    in TMPDIR, whose paths may not exceed 107 bytes (pytest's tmp_path is too deep)."""
    folder = Path(tempfile.mkdtemp(prefix="tlvsc-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def editor(short_tmp):
    """A code-server with the extension built from editors/vscode, a workspace holding
    `dataset()` as train.jsonl, and a browser on it: (driver, workspace, tunelint)."""
    node = require("node", "apt-get install nodejs npm (Node 20 or newer)")
    chromium = require("chromium", "apt-get install chromium (Debian/Ubuntu)", "chromium-browser")
    code_server = require(str(HARNESS / "node_modules" / ".bin" / "code-server"), NPM_HINT)
    require(str(HARNESS / "node_modules" / ".bin" / "playwright-core"), NPM_HINT)
    vsce = require(str(EXTENSION / "node_modules" / ".bin" / "vsce"), NPM_HINT)
    tmp_path = short_tmp
    tunelint = Path(sys.executable).parent / "tunelint"
    assert tunelint.exists(), f"tunelint is not installed beside {sys.executable}"

    # Everything the editor writes stays in the test's folders.
    home = tmp_path / "home"
    folders = {name: tmp_path / name for name in ("home", "config", "data", "cache", "state", "tmp", "user", "extensions",
                                                  "workspace")}
    for folder in folders.values():
        folder.mkdir()
    # Where a user puts tunelint on PATH; VS Code reads its environment from the login shell.
    (home / ".profile").write_text(f'export PATH="{tunelint.parent}:$PATH"\n')
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(folders["config"]), "XDG_DATA_HOME": str(folders["data"]),
           "XDG_CACHE_HOME": str(folders["cache"]), "XDG_STATE_HOME": str(folders["state"]), "TMPDIR": str(folders["tmp"]),
           "PATH": f"{tunelint.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for variable in ("VSCODE_IPC_HOOK_CLI", "VSCODE_PROXY_URI", "CODE_SERVER_PARENT_PID"):
        env.pop(variable, None)
    # No extension marketplace: code-server would otherwise ask Open VSX for recommendations.
    env["EXTENSIONS_GALLERY"] = json.dumps({"serviceUrl": "http://127.0.0.1:9/gallery", "itemUrl": "http://127.0.0.1:9/item"})
    user_settings = folders["user"] / "User" / "settings.json"
    user_settings.parent.mkdir()
    user_settings.write_text(json.dumps(QUIET_SETTINGS, indent=2))
    workspace = folders["workspace"]
    (workspace / "train.jsonl").write_text(text_of(dataset()), encoding="utf-8")
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)

    # 1. Build the .vsix from the source here and install it.
    vsix = tmp_path / "tunelint.vsix"
    built = subprocess.run([vsce, "package", "--out", str(vsix)], cwd=EXTENSION, env=env,
                           capture_output=True, text=True, timeout=180)
    assert built.returncode == 0, built.stdout + built.stderr
    base = [code_server, "--user-data-dir", str(folders["user"]), "--extensions-dir", str(folders["extensions"])]
    installed = subprocess.run([*base, "--install-extension", str(vsix)], env=env, capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0 and "successfully installed" in installed.stdout, installed.stdout + installed.stderr

    port = free_port()
    server_log = ARTIFACTS / "code-server.log"
    driver_log = ARTIFACTS / "driver.log"
    started: list[subprocess.Popen] = []
    try:
        with server_log.open("w") as log:
            server = subprocess.Popen(
                [*base, "--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
                 "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
                 str(workspace)], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        started.append(server)
        wait_healthy(port, server, server_log)
        with driver_log.open("w") as log:
            process = subprocess.Popen([node, str(HARNESS / "drive.cjs"), chromium], cwd=HARNESS, env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                                       start_new_session=True)
        started.append(process)
        driver = Driver(process, driver_log)
        driver("open", url=f"http://127.0.0.1:{port}/?folder={workspace}", file="train.jsonl", timeout=180)
        yield driver, workspace, Tunelint(tunelint, tmp_path / "reference")
        assert driver("close", timeout=30)["outside"] == [], "the page reached beyond 127.0.0.1"
    finally:
        for process in reversed(started):
            end_group(process)
        left = processes_with(f"HOME={home}\0")
        assert not left, f"processes of the test still running: {left}"


def test_vscode_shows_and_fixes_tunelint_findings(editor):
    driver, workspace, tunelint = editor
    data = workspace / "train.jsonl"
    original = data.read_text(encoding="utf-8")

    # The server runs, and the Problems panel lists exactly `tunelint check`'s findings.
    assert driver("status", expect="tunelint: running")["label"] == "tunelint: running"
    expected = tunelint.panel(original)
    assert {r["code"] for r in expected} == {"TLD005", "TLS004", "TLS013", "TLC001", "TLJ001"}
    assert_panel(driver, expected, "opened")
    driver.shot("1-problems")

    # Hover on a finding shows its rule's documentation.
    role = next(f for f in tunelint.findings(original) if f["code"] == "TLS004")
    line, column = role["location"]["row"], role["location"]["column"]
    hover = driver("hover", line=line, column=column, expect="invalid-role (TLS004)")["text"]
    assert role["message"] in hover and "invalid-role (TLS004)" in hover

    # The quick fix, chosen in the light-bulb menu, does what `tunelint check --fix` does to that row.
    title = f"{role['fix']['message']} (TLS004)"
    answer = driver("quickfix", line=line, column=column, title=title)
    assert answer["applied"], f"{title!r} was not offered: {answer['offered']}"
    all_fixed = tunelint.fixed(original).splitlines()
    after_fix = original.splitlines()
    after_fix[line - 1] = all_fixed[line - 1]
    expected = tunelint.panel(text_of(after_fix))
    assert "TLS004" not in {r["code"] for r in expected}
    assert_panel(driver, expected, "quick fix")
    driver("save")
    assert data.read_text(encoding="utf-8") == text_of(after_fix)  # Fix all on save is off by default
    driver.shot("2-quick-fix")

    # An edit: the whitespace-only turn gets words (TLC001 goes), and a developer turn (TLS013 comes).
    row = json.loads(after_fix[8])
    row["messages"][0]["content"] = "What's the weather in Tours?"
    row["messages"].insert(0, {"role": "developer", "content": "Answer in one sentence."})
    edited = list(after_fix)
    edited[8] = json.dumps(row, ensure_ascii=False)
    driver("replaceLine", line=9, text=edited[8])
    expected = tunelint.panel(text_of(edited))
    assert ("TLS013", 9) in {(r["code"], r["line"]) for r in expected}
    assert "TLC001" not in {r["code"] for r in expected}
    assert_panel(driver, expected, "edit")

    # Settings reach the server (ignore), and Fix all on save applies what `check --fix` would.
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "settings.json").write_text(json.dumps(
        {"tunelint.fixAllOnSave": True, "tunelint.ignore": ["TLD005"]}, indent=2))
    expected = tunelint.panel(text_of(edited), "--ignore", "TLD005")
    assert_panel(driver, expected, "settings")
    driver("save")
    saved = data.read_text(encoding="utf-8")
    assert saved == tunelint.fixed(text_of(edited))
    assert saved != text_of(edited)
    expected = tunelint.panel(saved, "--ignore", "TLD005")
    assert [r["code"] for r in expected] == ["TLJ001"]
    assert_panel(driver, expected, "fix all on save")
    driver.shot("3-fixed-on-save")

    # A tunelint too old for the extension: a notification says so and how to fix it, the
    # status bar says the server is not running, and its findings are gone.
    old = workspace.parent / "old-tunelint"
    old.write_text("#!/bin/sh\necho 'tunelint, version 0.0.9'\n")
    old.chmod(0o755)
    (workspace / ".vscode" / "settings.json").write_text(json.dumps(
        {"tunelint.fixAllOnSave": True, "tunelint.ignore": ["TLD005"], "tunelint.path": str(old)}, indent=2))
    texts = driver("notifications", expect="too old")["texts"]
    assert any(f"tunelint 0.0.9 ({old}) is too old for this extension, which needs 0.1.0 or newer" in t
               and "pip install -U" in t and "tunelint.path" in t for t in texts), texts
    assert driver("status", expect="tunelint: not running")["label"] == "tunelint: not running"
    assert_panel(driver, [], "too old")
    driver.shot("4-too-old")
