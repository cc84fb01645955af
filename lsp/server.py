"""`tunelint server`: a language server (pygls 2.x) over stdio for *.jsonl datasets.

Thin handlers: diagnostics are pushed on open, change (debounced) and save, and cleared
on close; quick fixes and `source.fixAll.tunelint` come from the rules' own fixes;
hover shows a rule's documentation, or a row's tokens and cost share. The linting is
the engine's (`lint.session.Session`, one per open document), run in a worker thread
with the document's lines as they were; a result older than the document is never
published. Nothing but the protocol goes to stdout.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from ..lint import __version__
from ..lint.fix import apply_fixes
from ..lint.model import Applicability, Severity, Violation
from ..lint.registry import find_rule
from ..lint.report import rule_doc, rule_url
from ..lint.session import HEAD_LINES, Session
from ..lint.settings import ConfigError, Settings
from .client_settings import ClientSettings, identity
from .document import Document
from .positions import ClientLines
from .protocol import BoundedStdin, TunelintProtocol, exit_code
from .speedups import publish_diagnostics, read_with_orjson, widen_pipe

log = logging.getLogger("tunelint.lsp")
FIX_ALL = "source.fixAll.tunelint"
FREEZE_AFTER = 1000  # newly checked lines after which the kept outcomes are moved out of the collector's way
COLD_LINES = 2000  # lines to check before a first publication is worth splitting in two
SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
            Severity.INFO: types.DiagnosticSeverity.Information}


class TunelintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("tunelint", __version__, protocol_cls=TunelintProtocol)
        self.client = ClientSettings()
        self.documents: dict[str, Document] = {}
        self.published: dict[str, tuple[int | None, list[Violation]]] = {}  # by uri: (version, violations)
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.tasks: set[asyncio.Task] = set()
        # By uri: (whether client lines were mapped, {id(violation): (violation, its JSON)}).
        self._diagnostics: dict[str, tuple[bool, dict[int, tuple[Violation, dict[str, Any]]]]] = {}

    @property
    def encoding(self) -> str:
        return self.workspace.position_codec.encoding

    def settings_for(self, path: str) -> Settings:
        try:
            return self.client.settings_for(path)
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"tunelint: {exc}"))
            log.error("%s", exc)
            return Settings(root=Path(path).parent if path else Path.cwd())

    def session(self, document: Document) -> Session:
        """The document's session for the settings as they are now (a new one when they changed)."""
        settings = self.settings_for(document.path)
        key = identity(settings)
        if document.session is None or document.session_identity != key:
            document.session, document.session_identity = Session(document.path, settings), key
        return document.session

    # --- linting ----------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        if delay <= 0:
            self._start(uri)
        else:
            self.pending[uri] = asyncio.get_running_loop().call_later(delay, self._start, uri)

    def _start(self, uri: str) -> None:
        self.pending.pop(uri, None)
        task = asyncio.ensure_future(self.lint(uri))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def lint(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        version = document.version
        session = self.session(document)
        loop = asyncio.get_running_loop()
        try:
            if document.row_count() >= COLD_LINES and session.is_new:
                # A first lint of a large document takes a while: show the top rows' findings
                # first (before the document is even split into lines, if it was just opened).
                top = document.head(HEAD_LINES)
                head = await loop.run_in_executor(None, session.head, top)
                if not self._current(uri, version):
                    return
                self.published[uri] = (version, head)
                lines = ClientLines(top, self.encoding, document.carriage_returns)
                publish_diagnostics(self, uri, version, self.diagnostics_json(uri, lines, head))
            rows = list(document.rows)
            if document.version != version:
                return  # an edit came in while the top rows were checked: its own lint publishes
            cold = session.is_new
            violations = await loop.run_in_executor(None, session.lint, rows)
        except Exception as exc:  # a bug must not take the server down
            log.exception("lint failed")
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"tunelint: {exc}"))
            return
        if not self._current(uri, version):
            return  # the document changed (or closed) meanwhile: a newer lint will publish
        if cold and len(rows) > FREEZE_AFTER:
            # A big first lint leaves tens of thousands of long-lived objects; keep the cycle
            # collector from walking them on every later edit (refcounting still frees them).
            gc.freeze()
        self.published[uri] = (version, violations)
        publish_diagnostics(self, uri, version, self.diagnostics_json(uri, document.client_lines(self.encoding), violations))

    def _current(self, uri: str, version: int | None) -> bool:
        current = self.documents.get(uri)
        return current is not None and current.version == version

    def diagnostics_json(self, uri: str, lines: ClientLines, violations: list[Violation]) -> list[dict[str, Any]]:
        """The diagnostics of `violations`, reusing the JSON of those published last time.

        An edit keeps the violation objects of the lines it did not touch (see `Session`),
        and a violation's diagnostic depends only on it and its line's text, which then
        has not changed: only the touched lines' diagnostics are built. Not so where lone
        carriage returns move client lines (an edit above a row moves its diagnostic):
        there every diagnostic is built again.
        """
        was_mapped, known = self._diagnostics.get(uri, (False, {}))
        if lines.mapped or was_mapped:
            known = {}
        made: dict[int, tuple[Violation, dict[str, Any]]] = {}
        out = []
        for v in violations:
            found = known.get(id(v))
            if found is None or found[0] is not v:  # the pair keeps `v` alive: its id is not reused
                found = (v, diagnostic_json(uri, lines, v))
            made[id(v)] = found
            out.append(found[1])
        self._diagnostics[uri] = (lines.mapped, made)
        return out

    def diagnostic(self, uri: str, lines: ClientLines, v: Violation) -> types.Diagnostic:
        """A violation as a typed diagnostic (code actions carry it)."""
        return self.protocol._converter.structure(diagnostic_json(uri, lines, v), types.Diagnostic)

    def current_violations(self, uri: str, document: Document) -> list[Violation] | None:
        """The violations published for the document's text as it is now (None: it changed
        since, so their lines may hold other rows: no fix is offered against them)."""
        version, violations = self.published.get(uri, (None, None))
        return violations if violations is not None and version == document.version else None


def diagnostic_json(uri: str, lines: ClientLines, v: Violation) -> dict[str, Any]:
    """A violation as the JSON of an LSP Diagnostic, in the client's lines and units."""
    found: dict[str, Any] = {
        "range": lines.range(v.line, v.col, max(v.end_col, v.col)),
        "message": v.message,
        "severity": SEVERITY[v.severity].value,
        "code": v.code,
        "codeDescription": {"href": rule_url(v.name)},
        "source": "tunelint",
    }
    if v.related:
        found["relatedInformation"] = [_related_json(uri, lines, r) for r in v.related]
    return found


def _related_json(uri: str, lines: ClientLines, related) -> dict[str, Any]:
    """Another place: a whole line of this document, or the start of a line elsewhere."""
    if related.path is None:
        end = len(lines.lines[related.line - 1]) if 0 < related.line <= len(lines.lines) else 0
        return {"location": {"uri": uri, "range": lines.range(related.line, 0, end)},
                "message": related.message}
    where = {"start": {"line": related.line - 1, "character": 0}, "end": {"line": related.line - 1, "character": 0}}
    return {"location": {"uri": _uri_for(related.path, uri), "range": where}, "message": related.message}


def _path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else ""


def _uri_for(path: str, near: str) -> str:
    base = Path(_path(near)).parent
    return (base / path).resolve().as_uri() if not Path(path).is_absolute() else Path(path).as_uri()


server = TunelintServer()


@server.feature(types.INITIALIZE)
def initialize(ls: TunelintServer, params: types.InitializeParams) -> None:
    threading.Thread(target=_load_rules, name="tunelint-load-rules", daemon=True).start()
    options = params.initialization_options
    if isinstance(options, dict):
        ls.client.update(options.get("tunelint", options))


@server.feature(types.INITIALIZED)
async def initialized(ls: TunelintServer, params: types.InitializedParams) -> None:
    await refresh_configuration(ls)


async def refresh_configuration(ls: TunelintServer) -> None:
    workspace = ls.client_capabilities.workspace
    if workspace is None or not workspace.configuration:
        return
    try:
        answer = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="tunelint")]))
    except Exception as exc:  # a client that answers badly keeps the settings it had
        log.warning("workspace/configuration failed: %s", exc)
        return
    if answer:
        ls.client.update(answer[0])


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: TunelintServer, params: types.DidChangeConfigurationParams) -> None:
    pushed = params.settings
    if isinstance(pushed, dict) and isinstance(pushed.get("tunelint"), dict):
        ls.client.update(pushed["tunelint"])
    else:
        await refresh_configuration(ls)
    for uri in list(ls.documents):
        ls.schedule(uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TunelintServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.documents[item.uri] = Document.from_text(item.uri, _path(item.uri), item.text, item.version)
    ls.schedule(item.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TunelintServer, params: types.DidChangeTextDocumentParams) -> None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            lines = document.client_lines(ls.encoding)  # each change applies to the text the last one left
            document.replace(lines.engine(change.range.start), lines.engine(change.range.end), change.text)
        else:
            document.lines = change.text.split("\n")
    document.version = params.text_document.version
    ls.schedule(document.uri, ls.client.debounce)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TunelintServer, params: types.DidSaveTextDocumentParams) -> None:
    if params.text_document.uri in ls.documents:
        ls.schedule(params.text_document.uri, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TunelintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.documents.pop(uri, None)
    ls.published.pop(uri, None)
    ls._diagnostics.pop(uri, None)
    handle = ls.pending.pop(uri, None)
    if handle is not None:
        handle.cancel()
    publish_diagnostics(ls, uri, None, [])


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False))
def code_action(ls: TunelintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None:
        return []
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    lines = document.client_lines(ls.encoding)
    current = ls.current_violations(uri, document)
    if current is not None and (not wanted or any(k in (types.CodeActionKind.QuickFix, "quickfix") for k in wanted)):
        session = ls.session(document)
        first, last = lines.engine(params.range.start)[0] + 1, lines.engine(params.range.end)[0] + 1
        for v in current:
            if v.fix is None or not first <= v.line <= last or v.fix.applicability is Applicability.DISPLAY:
                continue
            if v.fix.applicability is Applicability.UNSAFE and not ls.client.unsafe_fixes:
                continue
            replacement = session.fix_lines(document.lines, v)
            if replacement is None:  # the line changed since it was linted: no longer this fix
                continue
            actions.append(types.CodeAction(
                title=f"{v.fix.title} ({v.code})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[ls.diagnostic(uri, lines, v)],
                is_preferred=v.fix.applicability is Applicability.SAFE,
                edit=types.WorkspaceEdit(changes={uri: [row_edit(lines, v.line, replacement)]}),
            ))
    if not wanted or any(k == FIX_ALL or FIX_ALL.startswith(k) for k in wanted):
        fixed, outcome = apply_fixes(document.text.encode("utf-8", "surrogatepass"), ls.settings_for(document.path),
                                     document.path, unsafe=ls.client.unsafe_fixes)
        if outcome.fixes:
            whole = lines.typed_range((0, 0), (len(lines.lines) - 1, len(lines.lines[-1])))
            actions.append(types.CodeAction(
                title=f"Fix all tunelint problems ({outcome.fixes})", kind=FIX_ALL,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=whole, new_text=fixed.decode("utf-8", "surrogatepass"))]})))
    return actions


def row_edit(lines: ClientLines, line: int, replacement: tuple[str | bytes, ...]) -> types.TextEdit:
    """Replace row `line` (1-based) with the fix's lines; no lines deletes the row and its newline."""
    index = line - 1
    texts = [r if isinstance(r, str) else r.decode("utf-8", "surrogatepass") for r in replacement]
    current = lines.lines[index]
    eol_cr = current.endswith("\r")
    if not texts:
        return types.TextEdit(range=lines.typed_range((index, 0), (index + 1, 0)), new_text="")
    end = len(current) - (1 if eol_cr else 0)
    return types.TextEdit(range=lines.typed_range((index, 0), (index, end)),
                          new_text=("\r\n" if eol_cr else "\n").join(texts))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: TunelintServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None:
        return None
    index, column = document.client_lines(ls.encoding).engine(params.position)
    line = index + 1
    here = [v for v in ls.current_violations(uri, document) or () if v.line == line and v.col <= column <= max(v.end_col, v.col + 1)]
    if here:
        docs = [rule_doc(rule) for rule in (find_rule(code) for code in dict.fromkeys(v.code for v in here)) if rule]
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(docs)))
    if 0 < line <= len(document.rows):
        from .tokens_hover import row_cost

        text = row_cost(document, line, ls.settings_for(document.path))
        if text:
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))
    return None


def _load_rules() -> None:
    """Load the rules (and what they import) while the client sends its first document,
    which the first lint would otherwise wait for (about 50 ms)."""
    try:
        Settings().ruleset_for("tunelint.jsonl")
    except Exception:  # a broken install shows itself again, with its message, on the first lint
        log.exception("loading the rules failed")


def start() -> None:
    # stderr only (stdout carries the protocol); pygls logs every message at INFO.
    logging.basicConfig(level=logging.WARNING, format="tunelint-lsp %(levelname)s %(message)s")
    widen_pipe(sys.stdin.fileno())
    read_with_orjson()
    server.start_io(stdin=BoundedStdin(sys.stdin.buffer))
    sys.exit(exit_code(server.protocol))
