'use strict';
// The tunelint extension: starts `tunelint server` for JSONL files and keeps it in step with
// the settings. Diagnostics, quick fixes, `source.fixAll.tunelint` and hover are the server's;
// this side finds the executable, checks its version, shows the server's state, and applies
// Fix all on save when `tunelint.fixAllOnSave` asks for it.

const vscode = require('vscode');
const {
  DidChangeConfigurationNotification, LanguageClient, RevealOutputChannelOn, State,
} = require('vscode-languageclient/node');
const { checkVersion, resolveTunelint } = require('./executable');
const { onInterpreterChange, selectedInterpreter } = require('./python');
const { serverSettings } = require('./settings');
const { ServerStatus } = require('./status');

const FIX_ALL = vscode.CodeActionKind.SourceFixAll.append('tunelint');
const SELECTOR = [{ scheme: 'file', language: 'jsonl' }, { scheme: 'untitled', language: 'jsonl' }];

let client;
let output;
let status;
let found; // {executable, source, version} of the running server
let starting = Promise.resolve();

function folderFor(uri) {
  const folder = uri ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
  return folder || (vscode.workspace.workspaceFolders || [])[0];
}

function settingsFor(scope) {
  const configuration = vscode.workspace.getConfiguration('tunelint', scope || folderFor());
  return serverSettings((key) => configuration.get(key));
}

async function locate() {
  const folder = folderFor(vscode.window.activeTextEditor && vscode.window.activeTextEditor.document.uri);
  const resolved = await resolveTunelint({
    configured: vscode.workspace.getConfiguration('tunelint', folder).get('path'),
    workspaceFolder: folder && folder.uri.fsPath,
    envPath: process.env.PATH,
    interpreter: () => selectedInterpreter(folder && folder.uri),
  });
  if (resolved.problem) return resolved;
  const checked = await checkVersion(resolved.executable);
  return checked.problem ? checked : { ...resolved, version: checked.version };
}

async function explain(problem) {
  status.failed(problem.message);
  output.appendLine(problem.message);
  const choice = await vscode.window.showErrorMessage(problem.message, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') vscode.commands.executeCommand('workbench.action.openSettings', 'tunelint.path');
  else if (choice === 'Show Output') output.show();
}

async function start() {
  status.starting();
  const located = await locate();
  if (located.problem) {
    found = undefined;
    explain(located); // not awaited: the notification stays until the user answers it
    return;
  }
  found = located;
  output.appendLine(`Starting ${found.executable} server (tunelint ${found.version}, found ${
    found.source === 'setting' ? 'by tunelint.path' : found.source === 'PATH' ? 'on PATH' : 'beside the selected Python interpreter'}).`);
  client = new LanguageClient('tunelint', 'tunelint', { command: found.executable, args: ['server'] }, {
    documentSelector: SELECTOR,
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: { tunelint: settingsFor() },
    middleware: {
      workspace: {
        // Only the server's settings, with a cleared one sent as null (see settings.js).
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          return params.items.map((item, i) => (item.section === 'tunelint'
            ? settingsFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined) : answers[i]));
        },
      },
    },
  });
  client.onDidChangeState(({ newState }) => {
    if (newState === State.Running) status.running(found.version, found.executable);
    else if (newState === State.Starting) status.starting();
    else status.stopped();
  });
  try {
    await client.start();
  } catch (error) {
    explain({ message: `${found.executable} server could not start: ${error.message || error}. See the tunelint output.` });
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) await running.stop().catch(() => undefined);
}

function restart() {
  starting = starting.then(stop).then(start).catch((error) => output.appendLine(`restart failed: ${error}`));
  return starting;
}

/** The edits of `source.fixAll.tunelint` for a document, as the server computes them. */
async function fixAllEdits(document) {
  if (!client || client.state !== State.Running) return [];
  const whole = document.validateRange(new vscode.Range(0, 0, document.lineCount, 0));
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', document.uri, whole, FIX_ALL.value);
  const fixAll = (actions || []).find((action) => action.kind && FIX_ALL.contains(action.kind) && action.edit);
  return fixAll ? fixAll.edit.get(document.uri) : [];
}

async function fixAllCommand() {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'jsonl') {
    vscode.window.showInformationMessage('tunelint: open a JSONL file to fix it.');
    return;
  }
  const edits = await fixAllEdits(editor.document);
  if (!edits.length) {
    vscode.window.showInformationMessage('tunelint: nothing to fix (no problem here has a safe fix).');
    return;
  }
  const edit = new vscode.WorkspaceEdit();
  edit.set(editor.document.uri, edits);
  await vscode.workspace.applyEdit(edit);
}

function activate(context) {
  output = vscode.window.createOutputChannel('tunelint');
  status = new ServerStatus();
  status.showFor(vscode.window.activeTextEditor);
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('tunelint.restart', restart),
    vscode.commands.registerCommand('tunelint.fixAll', fixAllCommand),
    vscode.commands.registerCommand('tunelint.showOutput', () => output.show()),
    vscode.window.onDidChangeActiveTextEditor((editor) => status.showFor(editor)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('tunelint.path')) {
        restart();
      } else if (event.affectsConfiguration('tunelint') && client && client.state === State.Running) {
        client.sendNotification(DidChangeConfigurationNotification.type, { settings: { tunelint: settingsFor() } });
      }
    }),
    vscode.workspace.onWillSaveTextDocument((event) => {
      const { document } = event;
      // Only a save the user asked for (as `editor.codeActionsOnSave` does with "explicit"):
      // an auto save after a delay would rewrite rows while they are being typed.
      if (document.languageId !== 'jsonl' || event.reason !== vscode.TextDocumentSaveReason.Manual
          || !vscode.workspace.getConfiguration('tunelint', document.uri).get('fixAllOnSave')) return;
      event.waitUntil(fixAllEdits(document).catch((error) => {
        output.appendLine(`Fix all on save failed: ${error}`);
        return [];
      }));
    }),
  );
  onInterpreterChange(() => {
    if (!found || found.source === 'python') restart();
  }).then((disposable) => disposable && context.subscriptions.push(disposable), () => undefined);
  return restart();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
