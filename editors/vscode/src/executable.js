'use strict';
// Finding the tunelint executable and checking it is one this extension can drive.
// No `vscode` import here: test/executable.test.js runs it under plain Node.

const { execFile } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

// The first release with `tunelint server` and the client settings this extension sends.
const MINIMUM_VERSION = '0.1.0';
const INSTALL_HINT = 'Install it into the Python environment you use (`pip install .` in a tunelint checkout), '
  + 'or set `tunelint.path` to the executable.';

function executableNames(platform) {
  return platform === 'win32' ? ['tunelint.exe', 'tunelint.cmd', 'tunelint'] : ['tunelint'];
}

function isExecutableFile(file, platform) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findIn(dirs, platform) {
  for (const dir of dirs) {
    if (!dir) continue;
    for (const name of executableNames(platform)) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

function findNamed(name, envPath, platform) {
  for (const dir of (envPath || '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, name);
    if (candidate && isExecutableFile(candidate, platform)) return candidate;
  }
  return undefined;
}

/** `tunelint` on a PATH string. */
function findOnPath(envPath, platform = process.platform) {
  return findIn((envPath || '').split(path.delimiter), platform);
}

/** `tunelint` installed in the same environment as a Python interpreter: its scripts sit
 * beside it (a venv's bin/), or in Scripts\ beside a Windows or conda python.exe. */
function findBesideInterpreter(python, platform = process.platform) {
  const dir = path.dirname(python);
  return findIn(platform === 'win32' ? [dir, path.join(dir, 'Scripts')] : [dir], platform);
}

/** The `tunelint.path` setting as a file path: `~`, `${userHome}` and `${workspaceFolder}`
 * expanded, a relative path taken from the workspace folder. */
function expandConfiguredPath(value, workspaceFolder) {
  let result = value.trim()
    .replace(/^~(?=$|[\\/])/, os.homedir())
    .replace(/\$\{userHome\}/g, os.homedir());
  if (workspaceFolder) result = result.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  if (!path.isAbsolute(result) && /[\\/]/.test(result)) result = path.join(workspaceFolder || process.cwd(), result);
  return result;
}

/**
 * Where the server comes from: `configured` (the setting), else PATH, else the selected
 * Python interpreter's environment (`interpreter` is an async function giving its path,
 * asked only when needed). Returns {executable, source} or {problem, message}.
 */
async function resolveTunelint({ configured, workspaceFolder, envPath, interpreter, platform = process.platform }) {
  if (configured && configured.trim()) {
    const expanded = expandConfiguredPath(configured, workspaceFolder);
    // A bare name (`tunelint-dev`) is looked up on PATH, as a shell would.
    const found = path.isAbsolute(expanded) ? (isExecutableFile(expanded, platform) ? expanded : undefined)
      : findNamed(expanded, envPath, platform);
    if (found) return { executable: found, source: 'setting' };
    return {
      problem: 'missing',
      message: `The \`tunelint.path\` setting names ${expanded}, which is not an executable file. `
        + 'Correct it, or clear it to use the tunelint found on PATH or in the selected Python environment.',
    };
  }
  const onPath = findOnPath(envPath, platform);
  if (onPath) return { executable: onPath, source: 'PATH' };
  let python;
  try {
    python = interpreter ? await interpreter() : undefined;
  } catch {
    python = undefined;
  }
  if (python) {
    const beside = findBesideInterpreter(python, platform);
    if (beside) return { executable: beside, source: 'python' };
  }
  const searched = python ? `on PATH or beside the selected Python interpreter (${python})` : 'on PATH';
  return { problem: 'missing', message: `tunelint was not found ${searched}. ${INSTALL_HINT}` };
}

function parseVersion(text) {
  const match = /(\d+)\.(\d+)\.(\d+)/.exec(text || '');
  return match ? match.slice(1, 4).map(Number) : undefined;
}

function compareVersions(a, b) {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function runVersion(executable, timeoutMs) {
  return new Promise((resolve) => {
    execFile(executable, ['--version'], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      resolve({ error, stdout: String(stdout || ''), stderr: String(stderr || '') });
    });
  });
}

/** Runs `tunelint --version`: {version} when it is new enough, else {problem, message}. */
async function checkVersion(executable, { minimum = MINIMUM_VERSION, timeoutMs = 20000 } = {}) {
  const { error, stdout, stderr } = await runVersion(executable, timeoutMs);
  const version = parseVersion(stdout);
  if (error || !version) {
    const why = error && error.killed ? `did not answer within ${timeoutMs / 1000} s`
      : (stderr.trim().split('\n').pop() || (error ? error.message : `printed "${stdout.trim()}"`));
    return {
      problem: 'broken',
      message: `\`${executable} --version\` failed: ${why}. Reinstall tunelint (\`pip install .\` in a tunelint checkout), `
        + 'or set `tunelint.path` to a working tunelint.',
    };
  }
  const text = version.join('.');
  if (compareVersions(version, parseVersion(minimum)) < 0) {
    return {
      problem: 'too-old',
      version: text,
      message: `tunelint ${text} (${executable}) is too old for this extension, which needs ${minimum} or newer. `
        + 'Upgrade it in its environment (`pip install -U .` in a current tunelint checkout), or set `tunelint.path` to a newer one.',
    };
  }
  return { version: text };
}

module.exports = {
  MINIMUM_VERSION,
  checkVersion,
  compareVersions,
  expandConfiguredPath,
  findBesideInterpreter,
  findOnPath,
  parseVersion,
  resolveTunelint,
};
