"""The VS Code extension's own logic under plain Node (editors/vscode/test/*.test.js): where it
finds tunelint (setting, PATH, the Python interpreter's environment), how it judges
`tunelint --version` (too old, broken, hanging), and the server settings it sends. The
extension inside a real VS Code is tests/test_vscode.py."""

import subprocess
from pathlib import Path

from external import require

EXTENSION = Path(__file__).resolve().parent.parent / "editors" / "vscode"


def test_extension_unit_tests_pass():
    node = require("node", "apt-get install nodejs (Node.js 20 or newer)")
    run = subprocess.run([node, "--test", "test/"], cwd=EXTENSION, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
