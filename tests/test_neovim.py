"""The real Neovim (Debian's, headless) with its built-in LSP client receives the diagnostics.

.ci/run installs Neovim (`apt-get install neovim`); the README shows the same setup.
"""

import json
import os
import subprocess
import sys

from external import require
from helpers import clean_rows, jsonl

LUA = r"""
local file, out, python = os.getenv("TL_FILE"), os.getenv("TL_OUT"), os.getenv("TL_PYTHON")
vim.cmd("edit " .. vim.fn.fnameescape(file))
local client = vim.lsp.start_client({
  name = "tunelint",
  cmd = { python, "-m", "tunelint.cli", "server" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
})
vim.lsp.buf_attach_client(0, client)
vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(lines, string.format("%d:%d:%s:%s", d.lnum, d.col, lsp.code or d.code or "", d.message))
end
vim.fn.writefile(lines, out)
vim.lsp.stop_client(client)
vim.cmd("qa!")
"""


def test_neovim_receives_diagnostics(tmp_path):
    nvim = require("nvim", "apt-get install neovim (Debian/Ubuntu) or see https://neovim.io; .ci/run installs it")
    bad = {"messages": [{"role": "user", "content": "   "}, {"role": "assistant", "content": "Hello!"}]}
    data = tmp_path / "train.jsonl"
    data.write_text(jsonl(*clean_rows(50), bad))
    script = tmp_path / "check.lua"
    script.write_text(LUA)
    out = tmp_path / "diagnostics.txt"
    env = {**os.environ, "TL_FILE": str(data), "TL_OUT": str(out), "TL_PYTHON": sys.executable}
    subprocess.run([nvim, "--headless", "--clean", "-c", f"luafile {script}"], env=env, timeout=90,
                   stdin=subprocess.DEVNULL, capture_output=True)
    lines = out.read_text().splitlines()
    column = json.dumps(bad).index('"   "')
    assert lines == [f"50:{column}:TLC001:user turn `messages[0]` has whitespace-only content"]
