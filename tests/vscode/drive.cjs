'use strict';
// Drives a running code-server (a real VS Code) in headless Chromium for tests/test_vscode.py.
// One JSON command a line on stdin, one JSON answer a line on stdout ({ok: true, ...} or
// {ok: false, error}); the scenario and its assertions are the Python test's. Only what a
// person does: clicks, keys, and reading what the screen shows (the Problems panel's rows,
// the status bar, a hover).
//
// Usage: node drive.cjs CHROMIUM   (the browser is Debian's; no browser is downloaded)

const readline = require('readline');
const { chromium } = require('playwright-core');

const executablePath = process.argv[2];
let browser;
let page;
const outside = new Set(); // what the page asked of any host but 127.0.0.1

function sleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/** Polls `read` until `done(value)` or `timeout` seconds; returns the last value read. */
async function until(read, done, timeout) {
  const end = Date.now() + timeout * 1000;
  let value = await read();
  while (!done(value) && Date.now() < end) {
    await sleep(150);
    value = await read();
  }
  return value;
}

/** The Problems panel as a person reads it: one entry per marker row. */
async function problems() {
  return page.$$eval('.markers-panel .monaco-list-row', (rows) => rows
    .filter((row) => row.querySelector('.marker-message'))
    .map((row) => {
      const text = (selector) => (row.querySelector(selector) || { textContent: '' }).textContent.trim();
      const position = /\[Ln (\d+), Col (\d+)\]/.exec(text('.marker-line')) || [];
      return {
        severity: (row.getAttribute('aria-label') || '').split(':')[0].toLowerCase(),
        message: text('.marker-message'),
        code: text('.marker-code'),
        source: text('.marker-source'),
        line: Number(position[1]),
        column: Number(position[2]),
      };
    }));
}

const key = (row) => JSON.stringify([row.line, row.column, row.code, row.message, row.severity, row.source]);
const sameRows = (a, b) => JSON.stringify(a.map(key).sort()) === JSON.stringify(b.map(key).sort());

async function goTo(line, column) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.quick-input-widget', { state: 'hidden' });
  // The status bar shows where the cursor landed.
  const where = `Ln ${line}, Col ${column}`;
  const shown = await until(() => page.textContent('#status\\.editor\\.selection').catch(() => ''),
    (text) => (text || '').includes(where), 10);
  if (!(shown || '').includes(where)) throw new Error(`the cursor is at "${shown}", not ${where}`);
}

const commands = {
  async open({ url, file, viewport }) {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: viewport || { width: 1400, height: 1000 } });
    const note = (address) => {
      const { protocol, hostname } = new URL(address);
      if (!['data:', 'blob:', 'about:'].includes(protocol) && hostname !== '127.0.0.1') outside.add(address);
    };
    page.on('request', (request) => note(request.url()));
    page.on('websocket', (socket) => note(socket.url()));
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
    await page.getByRole('treeitem', { name: file }).click({ timeout: 60000 });
    await page.waitForSelector(`.tab.active[aria-label^="${file}"]`, { timeout: 30000 });
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel', { timeout: 30000 });
    return {};
  },

  /** The panel's rows once they equal `expect` (then read again a moment later, so a
   * later publication would show), or as they are after `timeout` seconds. */
  async problems({ expect, timeout = 60 }) {
    let rows = await until(problems, (current) => sameRows(current, expect), timeout);
    if (sameRows(rows, expect)) {
      await sleep(700);
      rows = await problems();
    }
    return { rows };
  },

  async status({ expect, timeout = 60 }) {
    const read = () => page.getAttribute('[id$="tunelint.status"]', 'aria-label', { timeout: 1000 }).catch(() => null);
    return { label: await until(read, (label) => label === expect, timeout) };
  },

  /** The texts of the notifications on screen, once one holds `expect` (or after `timeout` s). */
  async notifications({ expect, timeout = 30 }) {
    const read = () => page.$$eval('.notification-toast .notification-list-item-message',
      (items) => items.map((item) => item.textContent.trim()));
    return { texts: await until(read, (texts) => texts.some((text) => text.includes(expect)), timeout) };
  },

  /** The hover at a position (Ctrl+K Ctrl+I, "Show or Focus Hover") as text, once it
   * holds `expect` (its parts arrive one by one) or after `timeout` seconds. */
  async hover({ line, column, expect, timeout = 20 }) {
    await goTo(line, column);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    await page.waitForSelector('.monaco-hover:not(.hidden)', { state: 'visible', timeout: 20000 });
    const read = () => page.$$eval('.monaco-hover:not(.hidden)', (hovers) => hovers.map((h) => h.innerText).join('\n'));
    const text = await until(read, (current) => current.includes(expect), timeout);
    await page.keyboard.press('Escape');
    return { text };
  },

  /** Ctrl+. at a position, then the action titled `title`. */
  async quickfix({ line, column, title }) {
    await goTo(line, column);
    await page.keyboard.press('Control+.');
    await page.waitForSelector('.action-widget .monaco-list-row', { state: 'visible', timeout: 20000 });
    // The menu may fill in as the providers answer: wait a while for the action.
    const read = () => page.$$eval('.action-widget .monaco-list-row.action',
      (rows) => rows.map((row) => (row.getAttribute('aria-label') || row.textContent || '').trim()));
    const offered = await until(read, (titles) => titles.includes(title), 10);
    if (!offered.includes(title)) {
      await page.keyboard.press('Escape');
      return { offered, applied: false };
    }
    // The keyboard, as a person would: down the list to the action, then Enter.
    const focused = () => page.getAttribute('.action-widget .monaco-list-row.action.focused', 'aria-label', { timeout: 2000 })
      .catch(() => null);
    for (let step = 0; step <= offered.length && (await focused()) !== title; step += 1) {
      await page.keyboard.press('ArrowDown');
    }
    if ((await focused()) !== title) throw new Error(`could not select "${title}" in the quick fix menu`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.action-widget', { state: 'hidden', timeout: 10000 }).catch(() => undefined);
    return { offered, applied: true };
  },

  /** Selects line `line` whole and types `text` over it. */
  async replaceLine({ line, text }) {
    await goTo(line, 1);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.insertText(text);
    // The editor takes typed text in asynchronously: wait until the document is modified.
    await page.waitForSelector('.tab.active.dirty', { timeout: 10000 });
    return {};
  },

  /** Ctrl+S, then waits until the tab is no longer marked as modified. */
  async save({ timeout = 30 }) {
    await page.keyboard.press('Control+S');
    const dirty = await until(() => page.$('.tab.active.dirty'), (element) => element === null, timeout);
    if (dirty !== null) throw new Error(`the file is still unsaved after ${timeout} s`);
    return {};
  },

  async screenshot({ path }) {
    await page.screenshot({ path });
    return {};
  },

  /** Closes the browser; `outside` lists what the page asked of any other host. */
  async close() {
    if (browser) await browser.close();
    browser = undefined;
    return { outside: [...outside] };
  },
};

async function main() {
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const command = JSON.parse(line);
    let answer;
    try {
      answer = { ok: true, ...(await commands[command.op](command)) };
    } catch (error) {
      answer = { ok: false, error: String(error && error.stack ? error.stack : error) };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
    if (command.op === 'close') break;
  }
  if (browser) await browser.close();
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
