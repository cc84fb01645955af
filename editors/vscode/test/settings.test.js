'use strict';
// The server settings the extension sends (lsp/client_settings.py reads them).

const assert = require('node:assert/strict');
const test = require('node:test');

const { serverSettings } = require('../src/settings');

test('unset settings are sent as null, so a cleared one reaches the server', () => {
  assert.deepEqual(serverSettings(() => undefined), {
    select: null, extendSelect: null, ignore: null, model: null, target: null, unsafeFixes: false, debounce: 150,
  });
});

test('set settings are passed on; wrong types and blanks are dropped', () => {
  const values = {
    select: ['TLT', 42, ''], extendSelect: 'TLS', ignore: ['TLD005'], model: ' gpt-4o-mini-2024-07-18 ',
    target: 'together', unsafeFixes: true, debounce: 0, path: '/x/tunelint', fixAllOnSave: true,
  };
  assert.deepEqual(serverSettings((key) => values[key]), {
    select: ['TLT'], extendSelect: null, ignore: ['TLD005'], model: 'gpt-4o-mini-2024-07-18', target: 'together',
    unsafeFixes: true, debounce: 0,
  });
  assert.equal(serverSettings((key) => ({ debounce: -5 })[key]).debounce, 150);
  assert.equal(serverSettings((key) => ({ unsafeFixes: 'yes' })[key]).unsafeFixes, false);
});
