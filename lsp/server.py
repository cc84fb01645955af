"""`tunelint server`: a language server (pygls 2.x) over stdio for *.jsonl datasets.

Thin handlers over the engine: diagnostics are pushed on open, change (debounced) and
save, and cleared on close; quick fixes and `source.fixAll.tunelint` come from the
rules' own fixes; hover shows a rule's documentation, or a row's tokens and cost share.
Linting runs in a worker thread with the document's lines as they were, and a result
older than the document is never published. Nothing but the protocol goes to stdout.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import inspect
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import orjson
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from ..lint import __version__
from ..lint.fix import apply_fixes
from ..lint.model import Applicability, Severity, Violation
from ..lint.registry import find_rule
from ..lint.report import rule_doc, rule_url
from ..lint.settings import ConfigError, Settings, find_config, load_settings, settings_from_table
from .documents import HEAD_LINES, Document, fix_lines, lint_head, lint_lines

log = logging.getLogger("tunelint.lsp")
FIX_ALL = "source.fixAll.tunelint"
FREEZE_AFTER = 1000  # newly cached lines after which the cache is moved out of the collector's way
COLD_LINES = 2000  # lines to check before a first publication is worth splitting in two
SEVERITY = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
            Severity.INFO: types.DiagnosticSeverity.Information}
# Client settings (initializationOptions / workspace configuration section "tunelint").
SETTING_KEYS = {"select", "ignore", "extendSelect", "model", "unsafeFixes", "debounce", "rules"}


class TunelintProtocol(LanguageServerProtocol):
    """Open documents live in the server's own line model (`Document`). pygls' copy would
    be re-split and re-joined on every keystroke (tens of ms on a 30 MB file), so these
    notifications go straight to the handlers."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


class TunelintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("tunelint", __version__, protocol_cls=TunelintProtocol)
        self._configs: dict[Path, tuple[Path | None, float, Settings]] = {}
        self.documents: dict[str, Document] = {}
        self.published: dict[str, list[Violation]] = {}
        self.client_settings: dict[str, Any] = {}
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.tasks: set[asyncio.Task] = set()
        self._diagnostics: dict[str, dict[int, tuple[Violation, dict[str, Any]]]] = {}  # by uri, by id(violation)

    # --- settings ---------------------------------------------------------------------------

    @property
    def debounce(self) -> float:
        value = self.client_settings.get("debounce", 150)
        return max(0.0, float(value) / 1000) if isinstance(value, (int, float)) else 0.15

    @property
    def unsafe_fixes(self) -> bool:
        return self.client_settings.get("unsafeFixes") is True

    def settings_for(self, path: str) -> Settings:
        """The nearest config file's settings, overridden by the client's."""
        folder = Path(path).parent if path else Path.cwd()
        try:
            base = self._config(folder if folder.exists() else Path.cwd())
            own = self.client_settings
            if own.get("rules"):
                merged = settings_from_table({"rules": own["rules"]}, root=base.root)
                base.rule_settings = {**base.rule_settings, **merged.rule_settings}
            return base.with_overrides(select=_strings(own.get("select")), extend_select=_strings(own.get("extendSelect")),
                                       ignore=_strings(own.get("ignore")), model=own.get("model"))
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"tunelint: {exc}"))
            log.error("%s", exc)
            return Settings(root=folder)

    def _config(self, folder: Path) -> Settings:
        """The project's settings, read again only when its config file changes."""
        source = find_config(folder)
        stamp = source.stat().st_mtime if source is not None else 0.0
        known = self._configs.get(folder)
        if known is None or known[0] != source or known[1] != stamp:
            known = self._configs[folder] = (source, stamp, load_settings(source, start=folder))
        return copy.copy(known[2])

    # --- linting ----------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        handle = self.pending.pop(uri, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        if delay <= 0:
            self._start(uri)
        else:
            self.pending[uri] = loop.call_later(delay, self._start, uri)

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
        settings = self.settings_for(document.path)
        identity = settings_identity(settings)
        if document.cache_identity != identity:
            # Cached line results hold the findings of the rules as they were configured.
            document.cache, document.cache_identity = {}, identity
        cached = len(document.cache)  # lint_lines fills this dict in place: count before
        loop = asyncio.get_running_loop()
        try:
            if document.row_count() - cached >= COLD_LINES:
                # A first lint of a large document takes a while: show the top rows' findings
                # first (before the document is even split into lines, if it was just opened).
                top = document.head(HEAD_LINES)
                head = await loop.run_in_executor(None, lint_head, top, document.path, settings, document.cache)
                current = self.documents.get(uri)
                if current is None or current.version != version:
                    return
                self.published[uri] = head
                self.publish(uri, version, self.diagnostics_json(uri, top, head))
            rows = list(document.rows)
            if document.version != version:
                return  # an edit came in while the top rows were checked: its own lint publishes
            violations, cache = await loop.run_in_executor(None, lint_lines, rows, document.path, settings, document.cache)
        except Exception as exc:  # a bug must not take the server down
            log.exception("lint failed")
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"tunelint: {exc}"))
            return
        current = self.documents.get(uri)
        if current is None or current.version != version:
            return  # the document changed (or closed) meanwhile: a newer lint will publish
        current.cache = cache
        if len(cache) - cached > FREEZE_AFTER:
            # A big cold lint leaves tens of thousands of long-lived cached objects; keep the
            # cycle collector from walking them on every later edit (refcounting still frees them).
            gc.freeze()
        self.published[uri] = violations
        self.publish(uri, version, self.diagnostics_json(uri, current.lines, violations))

    def publish(self, uri: str, version: int | None, diagnostics: list[dict[str, Any]]) -> None:
        """Send diagnostics already in their JSON shape.

        pygls would build attrs objects and have cattrs take them apart again, which costs
        tens of milliseconds for a few hundred diagnostics on every keystroke; a plain
        message is written as it is (a test checks both shapes are the same JSON).
        """
        params: dict[str, Any] = {"uri": uri, "diagnostics": diagnostics}
        if version is not None:
            params["version"] = version
        message = {"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params}
        writer = getattr(self.protocol, "writer", None)
        if writer is None or not getattr(self.protocol, "_include_headers", False):
            # Not a stdio stream we know (a websocket, a pygls without these attributes): its own way.
            self.text_document_publish_diagnostics(self.protocol._converter.structure(params, types.PublishDiagnosticsParams))
            return
        # orjson writes a few hundred diagnostics ten times faster than pygls' json.dumps.
        # The header counts bytes: the body is UTF-8, not ASCII-escaped as json.dumps writes it.
        body = orjson.dumps(message)
        written = writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)

    def diagnostics_json(self, uri: str, lines: list[str], violations: list[Violation]) -> list[dict[str, Any]]:
        """The diagnostics of `violations`, reusing the JSON of those published last time.

        An edit keeps the violation objects of the lines it did not touch (see
        `lint_lines`), and a violation's diagnostic depends only on it and its line's
        text, which then has not changed: only the touched lines' diagnostics are built.
        """
        encoding = self.workspace.position_codec.encoding
        known = self._diagnostics.get(uri, {})
        made: dict[int, tuple[Violation, dict[str, Any]]] = {}
        out = []
        for v in violations:
            found = known.get(id(v))
            if found is None or found[0] is not v:  # the pair keeps `v` alive: its id is not reused
                found = (v, diagnostic_json(uri, lines, v, encoding))
            made[id(v)] = found
            out.append(found[1])
        self._diagnostics[uri] = made
        return out

    def diagnostic(self, uri: str, lines: list[str], v: Violation) -> types.Diagnostic:
        """A violation as a typed diagnostic (code actions carry it)."""
        return self.protocol._converter.structure(self.diagnostic_json(uri, lines, v), types.Diagnostic)

    def diagnostic_json(self, uri: str, lines: list[str], v: Violation) -> dict[str, Any]:
        return diagnostic_json(uri, lines, v, self.workspace.position_codec.encoding)


def diagnostic_json(uri: str, lines: list[str], v: Violation, encoding: str) -> dict[str, Any]:
    """A violation as the JSON of an LSP Diagnostic, columns in the client's `encoding`."""
    found: dict[str, Any] = {
        "range": _range_json(lines, v.line, v.col, max(v.end_col, v.col), encoding),
        "message": v.message,
        "severity": SEVERITY[v.severity].value,
        "code": v.code,
        "codeDescription": {"href": rule_url(v.name)},
        "source": "tunelint",
    }
    if v.related:
        found["relatedInformation"] = [_related_json(uri, lines, r, encoding) for r in v.related]
    return found


def _related_json(uri: str, lines: list[str], related, encoding: str) -> dict[str, Any]:
    """Another place: a whole line of this document, or the start of a line elsewhere."""
    if related.path is None:
        end = len(lines[related.line - 1]) if 0 < related.line <= len(lines) else 0
        return {"location": {"uri": uri, "range": _range_json(lines, related.line, 0, end, encoding)},
                "message": related.message}
    where = {"start": {"line": related.line - 1, "character": 0}, "end": {"line": related.line - 1, "character": 0}}
    return {"location": {"uri": _uri_for(related.path, uri), "range": where}, "message": related.message}


def _range_json(lines: list[str], line: int, start: int, end: int, encoding: str) -> dict[str, Any]:
    """Engine columns (code points) on a 1-based line to an LSP range in the client's encoding."""
    index = line - 1
    text = lines[index] if 0 <= index < len(lines) else ""
    return {"start": {"line": index, "character": client_units(text, start, encoding)},
            "end": {"line": index, "character": client_units(text, end, encoding)}}


def code_points(text: str, units: int, encoding: str) -> int:
    """A column in the client's units back to code points, at C speed (inverse of `client_units`).

    A position inside a character (half a surrogate pair, part of a UTF-8 sequence)
    counts that character, as pygls does; past the end of the line is the end.
    """
    if encoding == types.PositionEncodingKind.Utf32 or text.isascii():
        return min(units, len(text))
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass")[:units].decode("utf-8", "replace"))
    return len(text.encode("utf-16-le", "surrogatepass")[:2 * units].decode("utf-16-le", "surrogatepass"))


def client_units(text: str, column: int, encoding: str) -> int:
    """A code-point column in the client's units, at C speed (pygls' codec walks characters)."""
    if encoding == types.PositionEncodingKind.Utf32 or text.isascii():
        return column
    prefix = text[:column]
    if encoding == types.PositionEncodingKind.Utf8:
        return len(prefix.encode("utf-8", "surrogatepass"))
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2


def settings_identity(settings: Settings) -> str:
    """What a line's result depends on besides its text: the rules, their options, the model."""
    ruleset = settings.ruleset_for(settings.root / "x.jsonl")
    return repr((sorted(settings.enabled), sorted(settings.per_file_ignores.items()), settings.rule_settings,
                 settings.model, settings.models, settings.kind, sorted(ruleset.severity.items())))


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


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
        ls.client_settings = options.get("tunelint", options) if isinstance(options.get("tunelint", options), dict) else {}


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
    if answer and isinstance(answer[0], dict):
        ls.client_settings = {**ls.client_settings, **answer[0]}


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: TunelintServer, params: types.DidChangeConfigurationParams) -> None:
    pushed = params.settings
    if isinstance(pushed, dict) and isinstance(pushed.get("tunelint"), dict):
        ls.client_settings = {**ls.client_settings, **pushed["tunelint"]}
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
    encoding = ls.workspace.position_codec.encoding
    for change in params.content_changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            document.replace(_position(document.lines, change.range.start, encoding),
                             _position(document.lines, change.range.end, encoding), change.text)
        else:
            document.lines = change.text.split("\n")
    document.version = params.text_document.version
    ls.schedule(document.uri, ls.debounce)


def _position(lines: list[str], position: types.Position, encoding: str) -> tuple[int, int]:
    """A client position as (line, code point column); past the last line is the end of the text."""
    if not lines:
        return 0, 0
    if position.line >= len(lines):
        return len(lines) - 1, len(lines[-1])
    return position.line, code_points(lines[position.line], position.character, encoding)


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
    ls.publish(uri, None, [])


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False))
def code_action(ls: TunelintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None:
        return []
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    settings = ls.settings_for(document.path)
    if not wanted or any(k in (types.CodeActionKind.QuickFix, "quickfix") for k in wanted):
        first, last = params.range.start.line + 1, params.range.end.line + 1
        for v in ls.published.get(uri, []):
            if v.fix is None or not first <= v.line <= last:
                continue
            if v.fix.applicability is Applicability.UNSAFE and not ls.unsafe_fixes:
                continue
            if v.fix.applicability is Applicability.DISPLAY:
                continue
            replacement = fix_lines(document.lines, v, document.path, settings, document.cache)
            if replacement is None:  # the line changed since it was linted: no longer this fix
                continue
            actions.append(types.CodeAction(
                title=f"{v.fix.title} ({v.code})",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[ls.diagnostic(uri, document.lines, v)],
                is_preferred=v.fix.applicability is Applicability.SAFE,
                edit=types.WorkspaceEdit(changes={uri: [row_edit(ls, document, v.line, replacement)]}),
            ))
    if not wanted or any(k == FIX_ALL or FIX_ALL.startswith(k) for k in wanted):
        fixed, outcome = apply_fixes(document.text.encode("utf-8", "surrogatepass"), settings, document.path,
                                     unsafe=ls.unsafe_fixes)
        if outcome.fixes:
            end = types.Position(len(document.lines) - 1, len(document.lines[-1]))
            whole = ls.workspace.position_codec.range_to_client_units(document.lines, types.Range(types.Position(0, 0), end))
            actions.append(types.CodeAction(
                title=f"Fix all tunelint problems ({outcome.fixes})", kind=FIX_ALL,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=whole, new_text=fixed.decode("utf-8", "surrogatepass"))]})))
    return actions


def row_edit(ls: TunelintServer, document: Document, line: int, replacement: tuple[str | bytes, ...]) -> types.TextEdit:
    """Replace row `line` (1-based) with the fix's lines; no lines deletes the row and its newline."""
    index = line - 1
    texts = [r if isinstance(r, str) else r.decode("utf-8", "surrogatepass") for r in replacement]
    current = document.lines[index]
    eol_cr = current.endswith("\r")
    codec = ls.workspace.position_codec
    if not texts:
        start, end = types.Position(index, 0), types.Position(index + 1, 0)
        return types.TextEdit(range=codec.range_to_client_units(document.lines, types.Range(start, end)), new_text="")
    joiner = "\r\n" if eol_cr else "\n"
    end_col = len(current) - (1 if eol_cr else 0)
    rng = codec.range_to_client_units(document.lines, types.Range(types.Position(index, 0), types.Position(index, end_col)))
    return types.TextEdit(range=rng, new_text=joiner.join(texts))


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: TunelintServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None:
        return None
    position = ls.workspace.position_codec.position_from_client_units(document.lines, params.position)
    line = position.line + 1
    here = [v for v in ls.published.get(uri, []) if v.line == line and v.col <= position.character <= max(v.end_col, v.col + 1)]
    if here:
        docs = []
        for code in dict.fromkeys(v.code for v in here):
            rule = find_rule(code)
            if rule is not None:
                docs.append(rule_doc(rule))
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(docs)))
    if 0 < line <= len(document.rows):
        text = token_hover(ls, document, line)
        if text:
            return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))
    return None


def token_hover(ls: TunelintServer, document: Document, line: int) -> str | None:
    from .tokens_hover import row_cost

    return row_cost(document, line, ls.settings_for(document.path))


def _load_rules() -> None:
    """Load the rules (and what they import) while the client sends its first document,
    which the first lint would otherwise wait for (about 50 ms)."""
    try:
        Settings().ruleset_for("tunelint.jsonl")
    except Exception:  # a broken install shows itself again, with its message, on the first lint
        log.exception("loading the rules failed")


def widen_pipe(fd: int) -> None:
    """Raise a pipe's buffer from 64 KB to 1 MB (Linux; the limit for an unprivileged process).

    A document arrives in one message: 38 MB through a 64 KB pipe takes hundreds of
    round trips between the editor and the server (about 0.25 s of a first open).
    """
    try:
        import fcntl

        size = min(1 << 20, int(Path("/proc/sys/fs/pipe-max-size").read_text()))
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError, ValueError):
        pass  # not Linux, not a pipe (a terminal, a file) or not allowed: only slower


class OrjsonFirst:
    """What pygls' reading loop calls as `json.loads`: orjson, which reads a 38 MB didOpen
    in well under the standard library's time (0.18 s against 0.28 s here).

    pygls passes `object_hook=protocol.structure_message`, which turns the message (the
    dict with a "jsonrpc" key) into its typed form and returns every other dict as it is:
    applied to the top level only, it gives the same result. Anything orjson refuses
    (a lone surrogate escape, which the standard library accepts) goes the usual way.
    """

    @staticmethod
    def loads(data: bytes | str, object_hook: Any = None) -> Any:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(data, object_hook=object_hook)
        return object_hook(value) if object_hook is not None and type(value) is dict else value


def read_with_orjson() -> None:
    """Have pygls' stdio loop parse messages with `OrjsonFirst` (it names the module `json`)."""
    import pygls.io_

    if getattr(pygls.io_, "json", None) is json:
        pygls.io_.json = OrjsonFirst


def start() -> None:
    # stderr only (stdout carries the protocol); pygls logs every message at INFO.
    logging.basicConfig(level=logging.WARNING, format="tunelint-lsp %(levelname)s %(message)s")
    widen_pipe(sys.stdin.fileno())
    read_with_orjson()
    server.start_io()
