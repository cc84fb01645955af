"""The hooks, run by the real pre-commit against this repository, in a throwaway git repo.

The throwaway repo commits a .pre-commit-config.yaml pointing at a snapshot of this
repository (its working tree, uncommitted changes included); pre-commit installs tunelint
from it into a hook environment of its own, as it would for a user.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import clean_rows, jsonl, user

REPO = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

BAD = jsonl(*clean_rows(49), {"messages": [user(""), {"role": "assistant", "content": "ok"}]})  # line 50: empty user turn
GOOD = jsonl(*clean_rows(50))
LEGACY = {"functions": [{"name": "f", "parameters": {"type": "object", "properties": {}}}],
          "messages": [user("go"), {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}}]}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_files_pattern_matches_jsonl_only(hook):
    pattern = re.compile(hook["files"])
    assert hook["require_serial"] is True and "types" not in hook
    for name in ("train.jsonl", "data/x.jsonl"):
        assert pattern.search(name), name
    for name in ("x.json", "x.jsonl.bak", "notes.txt"):
        assert not pattern.search(name), name


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A clone of this repository with its uncommitted changes, committed: pre-commit keys
    its hook environments by (repo, rev), so all tests share one installed environment."""
    snapshot = tmp_path_factory.mktemp("tunelint-repo")
    subprocess.run(["git", "clone", "-q", str(REPO), str(snapshot)], check=True)
    diff = subprocess.run(["git", "-C", str(REPO), "diff", "HEAD", "--binary"], capture_output=True, check=True).stdout
    if diff:
        subprocess.run(["git", "-C", str(snapshot), "apply"], input=diff, check=True)
        subprocess.run(["git", "-C", str(snapshot), "add", "-A"], check=True)  # files the diff adds, too
    subprocess.run(["git", "-C", str(snapshot), "-c", "user.email=t@example.com", "-c", "user.name=t",
                    "commit", "-qam", "snapshot", "--allow-empty"], check=True)
    rev = subprocess.run(["git", "-C", str(snapshot), "rev-parse", "HEAD"], capture_output=True, text=True,
                         check=True).stdout.strip()
    return snapshot, rev, tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path, hook_repo, monkeypatch):
    snapshot, rev, home = hook_repo
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run(["git", "config", "user.email", "t@example.com"], check=True)
    subprocess.run(["git", "config", "user.name", "t"], check=True)
    hooks = "".join(f"      - id: {h['id']}\n" for h in HOOKS)
    Path(".pre-commit-config.yaml").write_text(f"repos:\n  - repo: {snapshot}\n    rev: {rev}\n    hooks:\n{hooks}")
    subprocess.run(["git", "add", ".pre-commit-config.yaml"], check=True)
    subprocess.run(["git", "commit", "-qm", "config"], check=True)
    return tmp_path


def run_hook(hook: str) -> subprocess.CompletedProcess:
    """`pre-commit run HOOK` on the staged files, as a commit would."""
    return subprocess.run([*PRE_COMMIT, "run", hook, "--verbose"], capture_output=True, text=True)


def stage(files: dict[str, str]) -> None:
    for name, text in files.items():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(text)
    subprocess.run(["git", "add", *files], check=True)


def test_check_hook_fails_on_the_bad_file_only(project):
    stage({
        "data/bad.jsonl": BAD,
        "data/good.jsonl": GOOD,
        "notes.txt": "not json at all\n",  # would be an invalid-json error if it were passed in
        "raw/excluded.jsonl": BAD,  # excluded by the project's config
        "pyproject.toml": '[tool.tunelint]\nexclude = ["raw"]\n',
    })
    result = run_hook("tunelint")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "data/bad.jsonl:50:" in output and "TLC001" in output
    assert "good.jsonl:" not in output and "notes.txt" not in output and "excluded.jsonl" not in output


def test_check_hook_passes_on_good_files(project):
    stage({"good.jsonl": GOOD})
    result = run_hook("tunelint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_fix_hook_changes_the_file_and_fails_then_passes(project):
    stage({"train.jsonl": GOOD + "\n" + json.dumps(LEGACY) + "\n"})  # a blank line and a legacy row
    first = run_hook("tunelint-fix")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    fixed = Path("train.jsonl").read_text().splitlines()
    assert len(fixed) == 51 and "tools" in json.loads(fixed[50])
    subprocess.run(["git", "add", "train.jsonl"], check=True)
    second = run_hook("tunelint-fix")
    assert second.returncode == 0, second.stdout + second.stderr


def test_convert_hook_rewrites_legacy_rows(project):
    stage({"legacy.jsonl": json.dumps(LEGACY) + "\n"})
    first = run_hook("tunelint-convert")
    assert first.returncode == 1 and "files were modified by this hook" in first.stdout
    assert "tool_calls" in Path("legacy.jsonl").read_text()
    subprocess.run(["git", "add", "legacy.jsonl"], check=True)
    assert run_hook("tunelint-convert").returncode == 0


def test_readme_shows_the_config_snippet():
    readme = (REPO / "README.md").read_text()
    snippet = re.search(r"```yaml\n(repos:.*?)```", readme, re.S)
    assert snippet, "README lacks the .pre-commit-config.yaml snippet"
    config = yaml.safe_load(snippet.group(1))
    ids = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert ids <= {h["id"] for h in HOOKS} and "tunelint" in ids


def test_pre_commit_is_the_real_tool():
    assert shutil.which("git")
    version = subprocess.run([*PRE_COMMIT, "--version"], capture_output=True, text=True).stdout
    assert version.startswith("pre-commit ")
