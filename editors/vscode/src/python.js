'use strict';
// The interpreter selected in the Python extension (ms-python.python), when it is installed.

const vscode = require('vscode');

const PYTHON_EXTENSION = 'ms-python.python';

async function pythonApi() {
  const extension = vscode.extensions.getExtension(PYTHON_EXTENSION);
  if (!extension) return undefined;
  return extension.isActive ? extension.exports : extension.activate();
}

/** The path of the selected interpreter for `resource`, or undefined. */
async function selectedInterpreter(resource) {
  const api = await pythonApi();
  if (!api) return undefined;
  if (api.environments && api.environments.getActiveEnvironmentPath) {
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = active && (await api.environments.resolveEnvironment(active));
    const executable = resolved && resolved.executable && resolved.executable.uri;
    if (executable) return executable.fsPath;
  }
  // Older releases of the Python extension.
  const details = api.settings && api.settings.getExecutionDetails ? api.settings.getExecutionDetails(resource) : undefined;
  return details && details.execCommand && details.execCommand[0];
}

/** Calls `listener` when the selected interpreter changes; a Disposable, or undefined. */
async function onInterpreterChange(listener) {
  const api = await pythonApi().catch(() => undefined);
  if (api && api.environments && api.environments.onDidChangeActiveEnvironmentPath) {
    return api.environments.onDidChangeActiveEnvironmentPath(listener);
  }
  return undefined;
}

module.exports = { onInterpreterChange, selectedInterpreter };
