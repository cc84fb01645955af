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
                  files: Iterable[tuple[str, int]] | None = None) -> Iterator[str]:
    """The output in `fmt`, a chunk at a time. JUnit needs each file's count before its
    findings: `files` gives (path, count) in the order the violations come (without it,
    they are grouped in memory)."""
    chunks: Callable[..., Iterator[str]] = {
        "full": full_chunks,
        "concise": concise_chunks,
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
        self.safe = 0
        self.unsafe = 0
        self.safe_codes: set[str] = set()

    def add(self, v: Violation) -> None:
        self.total += 1
        self.by_severity[v.severity] += 1
        self.by_rule[v.code, v.name] += 1
        if v.fix is not None:
            if v.fix.applicability is Applicability.SAFE:
                self.safe += 1
                self.safe_codes.add(v.code)
            elif v.fix.applicability is Applicability.UNSAFE:
                self.unsafe += 1

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


def _marker(v: Violation) -> str:
    return "[*] " if v.fix is not None and v.fix.applicability is Applicability.SAFE else ""


# --- human formats -----------------------------------------------------------------------

# A message quotes the row (a key, a role, a name), and a terminal obeys control characters:
# an escape sequence in the data could recolour or clear the screen, or retitle the window.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escaped(message: str) -> str:
    """The message with each control character written as a JSON escape (`\\u001b`)."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", message) if _CONTROL.search(message) else message


def concise_chunks(violations: Iterable[Violation]) -> Iterator[str]:
    return (f"{v.path}:{v.line}:{_col(v)}: {v.code} {_marker(v)}{_escaped(v.message)}\n" for v in violations)


def render_concise(violations: Iterable[Violation]) -> str:
    return "".join(concise_chunks(violations))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else " " for c in text)


def full_chunks(violations: Iterable[Violation]) -> Iterator[str]:
    for v in violations:
        out = [f"{v.path}:{v.line}:{_col(v)}: {v.code} {_marker(v)}{_escaped(v.message)}\n"]
        text, offset, more = v.snippet
        if text or v.col == 0:
            start = v.col - offset
            length = max(1, min(v.end_col, offset + len(text)) - v.col)
            lead = "…" if offset > 0 else ""
            tail = "…" if more else ""
            gutter = " " * len(str(v.line))
            shown = _printable(text)
            pad = _width(lead + shown[:start])
            carets = "^" * max(1, _width(shown[start:start + length]))
            out.append(f"{gutter} |\n{v.line} | {lead}{shown}{tail}\n{gutter} | {' ' * pad}{carets} {v.name} ({v.severity.value})\n")
            for rel in v.related:
                out.append(f"{gutter} = note: line {rel.line}: {_escaped(rel.message)}\n")
            if v.fix is not None:
                label = "help" if v.fix.applicability is Applicability.SAFE else f"help ({v.fix.applicability.value} fix)"
                out.append(f"{gutter} = {label}: {v.fix.title}\n")
        out.append("\n")
        yield "".join(out)


def render_full(violations: Iterable[Violation]) -> str:
    return "".join(full_chunks(violations))


def summary(violations: Iterable[Violation] | Tally, unsafe_fixes: bool = False) -> str:
    """ruff-style closing lines: counts, and how many `--fix` would repair."""
    tally = violations if isinstance(violations, Tally) else Tally.of(violations)
    if not tally.total:
        return "All checks passed!\n"
    counts, total = tally.by_severity, tally.total
    parts = [f"{counts[s]} {s.value}{'s' if counts[s] != 1 else ''}" for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]
    lines = [f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}).\n"]
    safe, unsafe = tally.safe, tally.unsafe
    if safe:
        lines.append(f"[*] {safe} fixable with `tunelint check --fix`.\n")
    if unsafe and not unsafe_fixes:
        lines.append(f"{unsafe} more fixable with `--unsafe-fixes`.\n")
    return "".join(lines)


def statistics(violations: Iterable[Violation] | Tally) -> str:
    tally = violations if isinstance(violations, Tally) else Tally.of(violations)
    counts, fixable = tally.by_rule, tally.safe_codes
    width = max((len(str(n)) for n in counts.values()), default=1)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return "".join(f"{n:>{width}}\t{code}\t{'[*] ' if code in fixable else ''}{name}\n" for (code, name), n in rows)


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
    if rule.target_only:
        return " On where a target enables it (`--target`)."
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
