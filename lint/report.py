"""Renderers: violations to text in each output format.

Each format is a generator of text chunks over an iterable of violations, read once
(`render_chunks`): a report of a million findings, read back from disk, is written out
as it is read, never held as one string. `render` joins the chunks for callers that
want a string. The counts the closing lines need are kept while the violations go by
(`Tally`). Lines and columns are 1-based in every format (the engine's columns are
0-based code points).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import orjson

from .model import Applicability, Severity, Violation
from .registry import FAMILIES, Rule, all_rules, doc_sections

DOCS_URL = "https://github.com/tunelint/tunelint/blob/main/docs/rules.md#{name}"
FORMATS = ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit")
SHOWS_EDITS = ("json", "json-lines")  # the formats that show what a fix writes: checked with edits


def rule_url(name: str) -> str:
    return DOCS_URL.format(name=name)


def render(fmt: str, violations: Iterable[Violation], *, version: str = "") -> str:
    return "".join(render_chunks(fmt, violations, version=version))


def render_chunks(fmt: str, violations: Iterable[Violation], *, version: str = "",
                  files: Iterable[tuple[str, int]] | None = None, width: int | None = None,
                  palette: Palette | None = None) -> Iterator[str]:
    """The output in `fmt`, a chunk at a time. JUnit needs each file's count before its
    findings: `files` gives (path, count) in the order the violations come (without it,
    they are grouped in memory). The human formats take a `palette` (colours; none by
    default) and `full` the `width` its excerpts fit in (columns of the terminal)."""
    palette = palette or PLAIN
    chunks: Callable[..., Iterator[str]] = {
        "full": lambda v: full_chunks(v, width, palette),
        "concise": lambda v: concise_chunks(v, palette),
        "json": json_chunks,
        "json-lines": json_lines_chunks,
        "github": github_chunks,
        "gitlab": gitlab_chunks,
        "sarif": lambda v: sarif_chunks(v, version),
        "junit": lambda v: junit_chunks(v, files),
    }[fmt]
    return chunks(violations)


class Tally:
    """The counts of the violations that went by: for the summary, `--statistics` and the exit code."""

    def __init__(self) -> None:
        self.total = 0
        self.by_severity: Counter = Counter()
        self.by_rule: Counter = Counter()
        self.severity_of: dict[str, Severity] = {}
        self.safe = 0
        self.unsafe = 0
        self.safe_codes: set[str] = set()
        self.unsafe_codes: set[str] = set()

    def add(self, v: Violation) -> None:
        self.total += 1
        self.by_severity[v.severity] += 1
        self.by_rule[v.code, v.name] += 1
        self.severity_of.setdefault(v.code, v.severity)
        if v.fix is not None:
            if v.fix.applicability is Applicability.SAFE:
                self.safe += 1
                self.safe_codes.add(v.code)
            elif v.fix.applicability is Applicability.UNSAFE:
                self.unsafe += 1
                self.unsafe_codes.add(v.code)

    def counting(self, violations: Iterable[Violation]) -> Iterator[Violation]:
        """The violations, each counted as it goes by."""
        add = self.add
        for v in violations:
            add(v)
            yield v

    @classmethod
    def of(cls, violations: Iterable[Violation]) -> Tally:
        tally = cls()
        for v in violations:
            tally.add(v)
        return tally


def _col(v: Violation) -> int:
    return v.col + 1


def _end_col(v: Violation) -> int:
    return max(v.end_col, v.col) + 1


class Palette:
    """How the human formats colour their parts. This one colours nothing (a pipe, a file,
    `NO_COLOR`); the CLI passes one that writes terminal styles (`cli/style.py`), so the
    engine never decides what a terminal is."""

    def path(self, text: str) -> str:
        return text

    def code(self, text: str, severity: Severity) -> str:
        return text

    def severity(self, text: str, severity: Severity) -> str:
        return text

    def carets(self, text: str, severity: Severity) -> str:
        return text

    def gutter(self, text: str) -> str:
        return text

    def fixable(self, text: str) -> str:
        return text

    def help(self, text: str) -> str:
        return text

    def emphasis(self, text: str) -> str:
        return text

    def success(self, text: str) -> str:
        return text


PLAIN = Palette()


def _marker(v: Violation, palette: Palette = PLAIN) -> str:
    if v.fix is not None and v.fix.applicability is Applicability.SAFE:
        return f"[{palette.fixable('*')}] "
    return ""


def number(n: int) -> str:
    """A count as every human output writes it: with thousands separators (12,345)."""
    return f"{n:,}"


def plural(n: int, thing: str, many: str | None = None) -> str:
    """`1 problem`, `1,234 problems`."""
    return f"{n:,} {thing if n == 1 else many or thing + 's'}"


# --- human formats -----------------------------------------------------------------------

# A message quotes the row (a key, a role, a name), and a terminal obeys control characters:
# an escape sequence in the data could recolour or clear the screen, or retitle the window.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escaped(message: str) -> str:
    """The message with each control character written as a JSON escape (`\\u001b`)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", message) if _CONTROL.search(message) else message


def _location(v: Violation, palette: Palette) -> str:
    """`path:line:col: CODE [*] message`, the head of both human formats."""
    return (f"{palette.path(v.path)}:{v.line}:{_col(v)}: {palette.code(v.code, v.severity)} "
            f"{_marker(v, palette)}{_escaped(v.message)}")


def concise_chunks(violations: Iterable[Violation], palette: Palette = PLAIN) -> Iterator[str]:
    return (_location(v, palette) + "\n" for v in violations)


def render_concise(violations: Iterable[Violation], palette: Palette = PLAIN) -> str:
    return "".join(concise_chunks(violations, palette))


def _char_width(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def _width(text: str) -> int:
    return sum(map(_char_width, text))


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


PIPE_WIDTH = 120  # the columns `full` fits in when neither a terminal nor COLUMNS says
MIN_WIDTH = 40  # narrower than this, the excerpt would show nothing useful: fitted to this


def _window(shown: str, start: int, end: int, cut_left: bool, cut_right: bool, room: int) -> tuple[int, int]:
    """The part `shown[lo:hi]` of an excerpt that fits `room` columns with its `…` marks:
    the span's start is always in it, the span shown as far as it fits, with context
    either side (centred on a short span; a quarter of the room before a long one)."""
    if _width(shown) + cut_left + cut_right <= room:
        return 0, len(shown)
    budget = room - 2  # room for a `…` either side
    end = min(max(end, start + 1), len(shown))
    span = _width(shown[start:end])
    before = budget // 4 if span > budget // 2 else (budget - span) // 2
    lo, used = start, 0
    while lo > 0 and used + _char_width(shown[lo - 1]) <= before:
        lo -= 1
        used += _char_width(shown[lo])
    hi = start
    while hi < len(shown) and used + _char_width(shown[hi]) <= budget:
        used += _char_width(shown[hi])
        hi += 1
    spare = budget + (hi == len(shown) and not cut_right) - used  # the line ended: give the room to the left
    while lo > 0 and _char_width(shown[lo - 1]) <= spare:
        lo -= 1
        spare -= _char_width(shown[lo])
    return lo, hi


def full_chunks(violations: Iterable[Violation], width: int | None = None, palette: Palette = PLAIN) -> Iterator[str]:
    """Each violation with an excerpt of its line fitted to `width` columns (default
    `PIPE_WIDTH`): a window around the span, `…` where the line is cut, carets under the
    part of the span that is shown. A finding about the whole file shows no excerpt."""
    width = max(width or PIPE_WIDTH, MIN_WIDTH)
    for v in violations:
        label = f"{v.name} ({palette.severity(v.severity.value, v.severity)})"
        if v.file_level:
            gutter = palette.gutter("  =")
            out = [f"{palette.path(v.path)}: {palette.code(v.code, v.severity)} {_marker(v, palette)}{_escaped(v.message)}\n"
                   f"{gutter} {label}: about the file as a whole, not one row\n"]
        else:
            out = [_location(v, palette) + "\n"]
            text, offset, more = v.snippet
            if text or v.col == 0:
                out.append(_excerpt(v, text, offset, more, width, label, palette))
        margin = " " * len(str(v.line)) if not v.file_level else " "
        bar = palette.gutter(f"{margin} =")
        for rel in v.related:
            out.append(f"{bar} note: line {rel.line}: {_escaped(rel.message)}\n")
        if v.fix is not None:
            title = "help" if v.fix.applicability is Applicability.SAFE else f"help ({v.fix.applicability.value} fix)"
            out.append(f"{bar} {palette.help(title)}: {v.fix.title}\n")
        out.append("\n")
        yield "".join(out)


def _excerpt(v: Violation, text: str, offset: int, more: bool, width: int, label: str, palette: Palette) -> str:
    shown = _printable(text)
    start = min(max(v.col - offset, 0), len(shown))
    end = min(v.end_col, offset + len(text)) - offset
    number_ = str(v.line)
    room = width - len(number_) - 3  # `12 | `
    lo, hi = _window(shown, start, end, offset > 0, more, room)
    lead = "…" if lo > 0 or offset > 0 else ""
    tail = "…" if hi < len(shown) or more else ""
    pad = _width(lead + shown[lo:start])
    carets = "^" * max(1, _width(shown[start:max(start, min(end, hi))]))
    blank = " " * len(number_)
    bar = palette.gutter(f"{blank} |")
    caret_line = f"{bar} {' ' * pad}{palette.carets(carets, v.severity)}"
    plain_label = f"{v.name} ({v.severity.value})"
    if pad + len(carets) + 1 + len(plain_label) <= room:
        caret_line += f" {label}\n"
    else:  # no room after the carets: the label goes under them
        caret_line += f"\n{bar} {' ' * max(0, min(pad, room - len(plain_label)))}{label}\n"
    return (f"{bar}\n{palette.gutter(number_ + ' |')} {lead}{shown[lo:hi]}{tail}\n" + caret_line)


def render_full(violations: Iterable[Violation], width: int | None = None) -> str:
    return "".join(full_chunks(violations, width))


def summary(violations: Iterable[Violation] | Tally, unsafe_fixes: bool = False, palette: Palette = PLAIN) -> str:
    """ruff-style closing lines: counts, and how many `--fix` would repair."""
    tally = violations if isinstance(violations, Tally) else Tally.of(violations)
    if not tally.total:
        return palette.success("All checks passed!") + "\n"
    counts, total = tally.by_severity, tally.total
    parts = [palette.severity(plural(counts[s], s.value), s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
             if counts[s]]
    lines = [f"{palette.emphasis('Found ' + plural(total, 'problem'))} ({', '.join(parts)}).\n"]
    safe, unsafe = tally.safe, tally.unsafe
    if unsafe_fixes:
        safe, unsafe = safe + unsafe, 0
    if safe:
        lines.append(f"[{palette.fixable('*')}] {number(safe)} fixable with `tunelint check --fix"
                     f"{' --unsafe-fixes' if unsafe_fixes and tally.unsafe else ''}`.\n")
    if unsafe:
        lines.append(f"{number(unsafe)} more fixable with `--unsafe-fixes`.\n")
    return "".join(lines)


def _statistics_rows(tally: Tally, unsafe_fixes: bool) -> list[tuple[str, str, int, bool]]:
    """(code, name, count, fixable) per rule, most frequent first (ties by code), as ruff."""
    fixable = tally.safe_codes | (tally.unsafe_codes if unsafe_fixes else set())
    rows = sorted(tally.by_rule.items(), key=lambda item: (-item[1], item[0][0]))
    return [(code, name, n, code in fixable) for (code, name), n in rows]


def statistics(violations: Iterable[Violation] | Tally, unsafe_fixes: bool = False, palette: Palette = PLAIN) -> str:
    """How often each rule fired, one rule a line, columns aligned (`[ ]` where a rule's
    findings cannot be fixed, when any can), as `ruff check --statistics` prints them."""
    tally = violations if isinstance(violations, Tally) else Tally.of(violations)
    rows = _statistics_rows(tally, unsafe_fixes)
    count_width = max((len(number(n)) for _, _, n, _ in rows), default=1)
    code_width = max((len(code) for code, _, _, _ in rows), default=1)
    any_fixable = any(fixable for *_, fixable in rows)
    lines = []
    for code, name, n, fixable in rows:
        severity = tally.severity_of.get(code, Severity.ERROR)
        mark = (f"[{palette.fixable('*')}] " if fixable else "[ ] ") if any_fixable else ""
        lines.append(f"{palette.emphasis(f'{number(n):>{count_width}}')}\t"
                     f"{palette.code(f'{code:<{code_width}}', severity)}\t{mark}{name}\n")
    return "".join(lines)


def statistics_json(violations: Iterable[Violation] | Tally, unsafe_fixes: bool = False) -> str:
    """The statistics as `ruff check --statistics --output-format json` prints them."""
    tally = violations if isinstance(violations, Tally) else Tally.of(violations)
    items = [{"code": code, "name": name, "count": n, "fixable": fixable}
             for code, name, n, fixable in _statistics_rows(tally, unsafe_fixes)]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode() + "\n"


# --- machine formats ---------------------------------------------------------------------

def to_dict(v: Violation) -> dict:
    fix = None
    if v.fix is not None:
        lines = v.fix.lines  # None: checked without edits (see `Fix`), so none to show
        fix = {"applicability": v.fix.applicability.value, "message": v.fix.title,
               "edits": None if lines is None else [{"row": v.line, "replacement": [_text(line) for line in lines]}]}
    return {
        "code": v.code,
        "name": v.name,
        "severity": v.severity.value,
        "message": v.message,
        "filename": utf8_name(v.path),
        "location": {"row": v.line, "column": _col(v)},
        "end_location": {"row": v.end_line or v.line, "column": _end_col(v)},
        "pointer": v.pointer,
        "fix": fix,
        "related": [{"row": r.line, "message": r.message, **({"filename": utf8_name(r.path)} if r.path else {})} for r in v.related],
        "url": rule_url(v.name),
    }


def _text(line: str | bytes) -> str:
    return line if isinstance(line, str) else line.decode("utf-8", errors="replace")


def utf8_name(path: str) -> str:
    """A file name as the machine formats can carry it (JSON and XML are UTF-8): the bytes of
    a name that is not UTF-8, which Python keeps as lone surrogates, become U+FFFD."""
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        try:
            raw = path.encode("utf-8", "surrogateescape")  # the name's own bytes
        except UnicodeEncodeError:
            raw = path.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "replace")


def _indented_items(items: Iterable[dict], indent: str) -> Iterator[str]:
    """The items of a JSON array as `orjson.OPT_INDENT_2` writes them inside an array whose
    `[` is at `indent`, one at a time ("[]" for none). Strings never hold a raw newline, so
    indenting every line of an item's own dump is exact."""
    inner = indent + "  "
    first = True
    for item in items:
        text = orjson.dumps(item, option=orjson.OPT_INDENT_2).decode().replace("\n", "\n" + inner)
        yield ("[\n" if first else ",\n") + inner + text
        first = False
    yield "[]" if first else "\n" + indent + "]"


def json_chunks(violations: Iterable[Violation]) -> Iterator[str]:
    yield from _indented_items(map(to_dict, violations), "")
    yield "\n"


def render_json(violations: Iterable[Violation]) -> str:
    return "".join(json_chunks(violations))


def json_lines_chunks(violations: Iterable[Violation]) -> Iterator[str]:
    return (orjson.dumps(to_dict(v)).decode() + "\n" for v in violations)


def render_json_lines(violations: Iterable[Violation]) -> str:
    return "".join(json_lines_chunks(violations))


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github_chunks(violations: Iterable[Violation]) -> Iterator[str]:
    return (
        f"::{GITHUB_LEVEL[v.severity]} title={_gh_escape(f'tunelint ({v.code})', True)},"
        f"file={_gh_escape(_escaped(v.path), True)},line={v.line},col={_col(v)},endLine={v.end_line or v.line},"
        f"endColumn={_end_col(v)}::{_gh_escape(f'{_escaped(v.path)}:{v.line}:{_col(v)}: {v.code} {_escaped(v.message)}')}\n"
        for v in violations
    )


def render_github(violations: Iterable[Violation]) -> str:
    return "".join(github_chunks(violations))


GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _gitlab_item(v: Violation) -> dict:
    import hashlib

    path = utf8_name(v.path)
    fingerprint = hashlib.sha256(f"{path}\0{v.code}\0{v.line}\0{v.message}".encode()).hexdigest()
    return {
        "description": f"{v.code} {v.message}",
        "check_name": v.code,
        "fingerprint": fingerprint,
        "severity": GITLAB_SEVERITY[v.severity],
        "location": {"path": path, "positions": {"begin": {"line": v.line, "column": _col(v)},
                                                   "end": {"line": v.end_line or v.line, "column": _end_col(v)}}},
    }


def gitlab_chunks(violations: Iterable[Violation]) -> Iterator[str]:
    yield from _indented_items(map(_gitlab_item, violations), "")
    yield "\n"


def render_gitlab(violations: Iterable[Violation]) -> str:
    return "".join(gitlab_chunks(violations))


SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _sarif_rule(rule: Rule) -> dict:
    sections = doc_sections(rule.doc)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": sections.get("", rule.summary)},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": rule_url(rule.name),
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        "properties": {"family": rule.family, "fix": rule.fix.value},
    }


_RESULTS = "\x00results\x00"  # where the results go in the document written around them


def sarif_chunks(violations: Iterable[Violation], version: str = "") -> Iterator[str]:
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}

    def result_of(v: Violation) -> dict:
        result = {
            "ruleId": v.code,
            "ruleIndex": index.get(v.code, -1),
            "level": SARIF_LEVEL[v.severity],
            "message": {"text": v.message},
            "locations": [_sarif_location(v.path, v.line, _col(v), _end_col(v))],
        }
        if v.related:
            result["relatedLocations"] = [
                {**_sarif_location(r.path or v.path, r.line, 1, None), "id": n, "message": {"text": r.message}}
                for n, r in enumerate(v.related)
            ]
        return result

    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "tunelint", "version": version, "informationUri": rule_url("").split("#")[0],
                                "rules": [_sarif_rule(r) for r in rules]}},
            "results": _RESULTS,
        }],
    }
    text = orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
    marker = orjson.dumps(_RESULTS).decode()
    before, after = text.split(marker)
    yield before
    line = before.rsplit("\n", 1)[-1]  # `        "results": `: the array opens at this line's indent
    yield from _indented_items(map(result_of, violations), " " * (len(line) - len(line.lstrip(" "))))
    yield after


def render_sarif(violations: Iterable[Violation], version: str = "") -> str:
    return "".join(sarif_chunks(violations, version))


def _sarif_location(path: str, line: int, col: int, end_col: int | None) -> dict:
    region: dict = {"startLine": line, "startColumn": col}
    if end_col is not None:
        region.update({"endLine": line, "endColumn": end_col})
    return {"physicalLocation": {"artifactLocation": {"uri": utf8_name(path)}, "region": region}}


def junit_chunks(violations: Iterable[Violation], files: Iterable[tuple[str, int]] | None = None) -> Iterator[str]:
    """A test suite per file. With `files` ((path, count) in the violations' order), the
    violations stream; without, they are grouped by path in memory first."""
    from itertools import islice
    from xml.sax.saxutils import escape as xml_escape, quoteattr  # imports urllib: only when asked for

    if files is None:
        by_file: dict[str, list[Violation]] = {}
        for v in violations:
            by_file.setdefault(v.path, []).append(v)
        files = [(path, len(items)) for path, items in by_file.items()]
        violations = [v for items in by_file.values() for v in items]
    files = [(path, count) for path, count in files if count]
    total = sum(count for _, count in files)
    stream = iter(violations)
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n'
           f'<testsuites name="tunelint" tests="{total}" failures="{total}" errors="0">\n')
    for raw_path, count in files:
        # XML 1.0 has no way to carry a control character, not even as a reference: escaped as JSON does.
        path = _escaped(utf8_name(raw_path))
        yield f'  <testsuite name={quoteattr(path)} tests="{count}" failures="{count}" errors="0">\n'
        for v in islice(stream, count):
            name = quoteattr(f"{v.code}:{v.line}:{_col(v)}")
            message = _escaped(v.message)
            yield (f'    <testcase name={name} classname={quoteattr(path)} line="{v.line}" column="{_col(v)}">\n'
                   f'      <failure message={quoteattr(message)} type={quoteattr(v.code)}>'
                   f'{xml_escape(f"{path}:{v.line}:{_col(v)}: {v.code} {message}")}</failure>\n'
                   "    </testcase>\n")
        yield "  </testsuite>\n"
    yield "</testsuites>\n"


def render_junit(violations: Iterable[Violation]) -> str:
    return "".join(junit_chunks(violations))


def _enabled_note(rule: Rule) -> str:
    if rule.opt_in:
        return f" On only when named (`--select {rule.code}`): ALL and prefixes leave it off."
    return "" if rule.default_enabled else " Off by default."


def rule_doc(rule: Rule) -> str:
    """A rule's documentation as shown by `tunelint rule` and the language server's hover."""
    sections = doc_sections(rule.doc)
    parts = [f"# {rule.name} ({rule.code})",
             f"Family: {rule.family} ({FAMILIES[rule.family]}). Default severity: {rule.severity.value}. "
             f"Fix: {rule.fix.value}.{_enabled_note(rule)}"]
    parts.extend(f"## {title}\n{text}" if title else text for title, text in sections.items() if text)
    if rule.options:
        parts.append("## Options\n" + "\n".join(f"- `{o.name}` (default `{o.default!r}`): {o.help}" for o in rule.options))
    return "\n\n".join(parts) + "\n"


def rules_markdown() -> str:
    """Every rule's documentation as one Markdown page (docs/rules.md), anchors by name."""
    parts = ["# tunelint rules\n\nGenerated by `tunelint rule --all --output-format markdown`; "
             "each rule's docstring is its documentation. `select = [\"ALL\"]` and family prefixes "
             "turn on every rule but those that serve one target (converting rows to another format): "
             "those are on only when named by code or name.\n"]
    for rule in all_rules():
        body = rule_doc(rule).split("\n", 1)[1].replace("\n## ", "\n### ")
        parts.append(f"## {rule.name}\n\n`{rule.code}`\n{body}")
    return "\n".join(parts)
