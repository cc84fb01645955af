#!/usr/bin/env bash
# Installs what tests/test_vscode.py needs from the npm registry, pinned by the lock files:
# the extension's dependencies and @vscode/vsce (editors/vscode), code-server and
# playwright-core (tests/vscode). Needs Node.js 20 or newer with its headers (/usr/include/node)
# and, from apt, libkrb5-dev and ripgrep (code-server builds native modules) and chromium.
# .ci/run calls it; a developer can too. About 80 s and 330 MB on a cold npm cache.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "code-server 4.100.3 needs Node.js 20 or newer; this is $(node --version)" >&2
  exit 1
fi
[ -f /usr/include/node/node.h ] || { echo "Node.js headers are missing (/usr/include/node): code-server builds native modules" >&2; exit 1; }
rg=$(command -v rg) || { echo "ripgrep is missing: apt-get install ripgrep" >&2; exit 1; }

(cd "$root/editors/vscode" && npm ci --no-audit --no-fund)

# code-server's @vscode/ripgrep (1.15.11 in its lock file) downloads rg from GitHub in its
# postinstall, which this machine cannot reach, unless its cache in TMPDIR holds the archive:
# give it Debian's rg. node-gyp builds against the installed Node's headers (nodedir), and
# code-server's postinstall insists on unsafe-perm when npm runs as root.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cache="$work/vscode-ripgrep-cache-1.15.11"
mkdir -p "$cache"
tar -C "$(dirname "$rg")" -czf "$cache/ripgrep-v13.0.0-10-$(uname -m)-unknown-linux-musl.tar.gz" rg
(cd "$root/tests/vscode" && TMPDIR="$work" npm_config_nodedir=/usr npm_config_yes=true npm_config_unsafe_perm=true \
  npm ci --no-audit --no-fund)
