'use strict';
// The server's own settings (lsp/client_settings.py reads them from initializationOptions,
// workspace/configuration and didChangeConfiguration, section `tunelint`). Every key is sent,
// `null` when unset: the server merges what it gets, so a cleared setting must say so.
// No `vscode` import: `get` is a WorkspaceConfiguration's get (or any function like it).

const LISTS = ['select', 'extendSelect', 'ignore'];
const STRINGS = ['model', 'target'];
const DEFAULT_DEBOUNCE_MS = 150;

function strings(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === 'string' && v.trim() !== '') : null;
}

function serverSettings(get) {
  const settings = {};
  for (const key of LISTS) settings[key] = strings(get(key));
  for (const key of STRINGS) {
    const value = get(key);
    settings[key] = typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  }
  settings.unsafeFixes = get('unsafeFixes') === true;
  const debounce = get('debounce');
  settings.debounce = typeof debounce === 'number' && Number.isFinite(debounce) && debounce >= 0 ? debounce : DEFAULT_DEBOUNCE_MS;
  return settings;
}

module.exports = { serverSettings };
