'use strict';
// Where the extension finds tunelint and how it judges `tunelint --version`, with real
// executables (small shell scripts) in temporary folders. Run: npm test (or node --test test/).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const test = require('node:test');

const {
  checkVersion, expandConfiguredPath, findBesideInterpreter, findOnPath, resolveTunelint,
} = require('../src/executable');

function folder(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunelint-ext-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function script(dir, name, body, mode = 0o755) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode });
  return file;
}

const prints = (version) => `echo 'tunelint, version ${version}'`;

test('PATH is searched in order, and a file that cannot run is passed over', (t) => {
  const root = folder(t);
  script(path.join(root, 'a'), 'tunelint', prints('0.1.0'), 0o644);
  const second = script(path.join(root, 'b'), 'tunelint', prints('0.1.0'));
  script(path.join(root, 'c'), 'tunelint', prints('0.1.0'));
  const envPath = ['', path.join(root, 'missing'), path.join(root, 'a'), path.join(root, 'b'), path.join(root, 'c')]
    .join(path.delimiter);
  assert.equal(findOnPath(envPath, 'linux'), second);
  assert.equal(findOnPath(path.join(root, 'missing'), 'linux'), undefined);
});

test('PATH first, then the selected interpreter\'s environment', async (t) => {
  const root = folder(t);
  const venv = path.join(root, 'venv', 'bin');
  const beside = script(venv, 'tunelint', prints('0.1.0'));
  const python = script(venv, 'python', 'exit 0');
  let asked = 0;
  const interpreter = async () => { asked += 1; return python; };
  assert.deepEqual(await resolveTunelint({ envPath: path.join(root, 'empty'), interpreter, platform: 'linux' }),
    { executable: beside, source: 'python' });
  const onPath = script(path.join(root, 'path'), 'tunelint', prints('0.1.0'));
  assert.deepEqual(await resolveTunelint({ envPath: path.join(root, 'path'), interpreter, platform: 'linux' }),
    { executable: onPath, source: 'PATH' });
  assert.equal(asked, 1, 'the Python extension is asked only when PATH has no tunelint');
  assert.equal(findBesideInterpreter(path.join(root, 'nowhere', 'python'), 'linux'), undefined);
});

test('nothing found: the message names where it looked and how to fix it', async (t) => {
  const root = folder(t);
  const python = path.join(root, 'env', 'bin', 'python');
  const found = await resolveTunelint({ envPath: root, interpreter: async () => python, platform: 'linux' });
  assert.equal(found.problem, 'missing');
  assert.match(found.message, new RegExp(`not found on PATH or beside the selected Python interpreter \\(${python}\\)`));
  assert.match(found.message, /pip install/);
  assert.match(found.message, /tunelint\.path/);
  const without = await resolveTunelint({ envPath: root, interpreter: async () => undefined, platform: 'linux' });
  assert.match(without.message, /^tunelint was not found on PATH\. /);
  const failing = await resolveTunelint({ envPath: root, interpreter: async () => { throw new Error('no'); }, platform: 'linux' });
  assert.equal(failing.problem, 'missing');
});

test('tunelint.path: absolute, ~, ${workspaceFolder}, relative, a bare name on PATH, or wrong', async (t) => {
  const root = folder(t);
  const tool = script(path.join(root, 'tools'), 'tunelint-dev', prints('0.1.0'));
  const resolve = (configured) => resolveTunelint({ configured, workspaceFolder: root, envPath: path.join(root, 'tools'), platform: 'linux' });
  assert.deepEqual(await resolve(tool), { executable: tool, source: 'setting' });
  assert.deepEqual(await resolve('${workspaceFolder}/tools/tunelint-dev'), { executable: tool, source: 'setting' });
  assert.deepEqual(await resolve('tools/tunelint-dev'), { executable: tool, source: 'setting' });
  assert.deepEqual(await resolve('tunelint-dev'), { executable: tool, source: 'setting' });
  assert.equal(expandConfiguredPath('~/bin/tunelint', root), path.join(os.homedir(), 'bin', 'tunelint'));
  const wrong = await resolve(path.join(root, 'nope'));
  assert.equal(wrong.problem, 'missing');
  assert.match(wrong.message, /`tunelint\.path` setting names .*nope, which is not an executable file/);
});

test('the version: new enough, too old, no answer, or not tunelint', async (t) => {
  const root = folder(t);
  assert.deepEqual(await checkVersion(script(root, 'current', prints('0.1.0'))), { version: '0.1.0' });
  assert.deepEqual(await checkVersion(script(root, 'newer', prints('1.2.3'))), { version: '1.2.3' });
  const old = await checkVersion(script(root, 'old', prints('0.0.9')));
  assert.equal(old.problem, 'too-old');
  assert.match(old.message, /tunelint 0\.0\.9 \(.*old\) is too old for this extension, which needs 0\.1\.0 or newer/);
  assert.match(old.message, /pip install -U/);
  const broken = await checkVersion(script(root, 'broken', 'echo "ModuleNotFoundError: No module named tunelint" >&2; exit 1'));
  assert.equal(broken.problem, 'broken');
  assert.match(broken.message, /--version` failed: ModuleNotFoundError: No module named tunelint/);
  const silent = await checkVersion(script(root, 'silent', 'echo hello'));
  assert.equal(silent.problem, 'broken');
  assert.match(silent.message, /printed "hello"/);
  const hangs = await checkVersion(script(root, 'hangs', 'sleep 5'), { timeoutMs: 300 });
  assert.equal(hangs.problem, 'broken');
  assert.match(hangs.message, /did not answer within 0\.3 s/);
});
