'use strict';
// The status bar item: the server's state, shown while a JSONL file is in the editor.
// Clicking it opens the server's output.

const vscode = require('vscode');

class ServerStatus {
  constructor() {
    this.item = vscode.window.createStatusBarItem('tunelint.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'tunelint';
    this.item.command = 'tunelint.showOutput';
    this.starting();
  }

  set(icon, state, tooltip, error = false) {
    this.state = state;
    this.item.text = `$(${icon}) tunelint`;
    this.item.tooltip = tooltip;
    // What a screen reader says, and what the end-to-end test reads.
    this.item.accessibilityInformation = { label: `tunelint: ${state}` };
    this.item.backgroundColor = error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  starting() {
    this.set('sync~spin', 'starting', 'tunelint: starting the language server…');
  }

  running(version, executable) {
    this.set('check', 'running', `tunelint ${version} is running (${executable}). Click for its output.`);
  }

  stopped() {
    this.set('circle-slash', 'stopped', 'tunelint: the language server stopped. Run "tunelint: Restart Server" to start it again.', true);
  }

  failed(message) {
    this.set('error', 'not running', `tunelint: ${message}`, true);
  }

  /** Visible while the active editor holds a JSONL document (or always, when asked). */
  showFor(editor) {
    if (editor && editor.document.languageId === 'jsonl') this.item.show();
    else this.item.hide();
  }

  dispose() {
    this.item.dispose();
  }
}

module.exports = { ServerStatus };
