"""Apply fixes to a file's bytes: the one mechanism behind `check --fix` and `convert`.

Fixes are row-level, so a file is fixed in one streaming pass: each row is checked, its
first applicable fix applied, and the result checked again until nothing changes (at most
`MAX_PASSES` times). Rows no fix touches are copied byte for byte. Dataset-level fixes
(deleting a later duplicate) need the whole file's facts first, so they cost one extra
read, and only when a selected rule can produce them.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .chat import detect_kind
from .engine import check_bytes, check_file, check_row, file_kind, place
from .model import Applicability, Finding, Fix, NEVER, Violation
from .registry import Rule
from .settings import RuleSet, Settings
from .source import BOM, STREAM_BUFFER, Row, parse_row, rows_from_bytes, rows_from_lines, split_terminator

MAX_PASSES = 8
WRITE_BUFFER = 1 << 20  # rows are written one by one: with 8 KB, a system call every other row
BOM_RULE = "TLJ004"


@dataclass
class FixOutcome:
    rows: int = 0
    rows_written: int = 0  # lines in the output (a fix may write several rows, or none)
    rows_changed: int = 0
    fixes: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    changes: list[tuple[int, bytes, list[bytes]]] = field(default_factory=list)  # kept when asked (diffs)
    remaining: list[Violation] = field(default_factory=list)  # what no fix could repair (when asked)

    @property
    def changed(self) -> bool:
        return self.rows_changed > 0


def _allowed(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or fix.applicability is Applicability.DISPLAY:
        return False
    return unsafe or fix.applicability is Applicability.SAFE


def _chunks(lines: Iterable[str | bytes], eol: bytes) -> list[bytes]:
    encoded = [line if isinstance(line, bytes) else line.encode("utf-8", errors="surrogatepass") for line in lines]
    if eol:
        return [line + eol for line in encoded]
    return [line + b"\n" for line in encoded[:-1]] + encoded[-1:]


def _fixed_rows(current: Row, fix: Fix) -> list[Row]:
    """The rows a fix writes in place of `current`, parsed (unless the fix knows their values)."""
    chunks = _chunks(fix.lines, current.eol)
    if fix.values is None or len(fix.values) != len(chunks):
        return [parse_row(current.line, chunk) for chunk in chunks]
    return [Row(current.line, raw, value, eol=eol)
            for (raw, eol), value in zip(map(split_terminator, chunks), fix.values)]


def fix_row(row: Row, ruleset: RuleSet, unsafe: bool, kind: str,
            outcome: FixOutcome) -> tuple[list[Row], list[list[tuple[Rule, Finding]]], bool]:
    """Fix one row until nothing applies: (final rows, their unfixed findings, whether the BOM stays)."""
    pending = [row]
    done: list[Row] = []
    leftovers: list[list[tuple[Rule, Finding]]] = []
    keep_bom = row.bom
    for _ in range(MAX_PASSES):
        changed: list[Row] = []
        for current in pending:
            findings = check_row(current, ruleset, kind).findings
            found = next(((rule, f.fix) for rule, f in findings if _allowed(f.fix, unsafe)), None)
            if found is None:
                done.append(current)
                leftovers.append(findings)
                continue
            rule, fix = found
            outcome.fixes += 1
            outcome.by_rule[rule.code] = outcome.by_rule.get(rule.code, 0) + 1
            if rule.code == BOM_RULE:
                keep_bom = False
            changed.extend(_fixed_rows(current, fix))
        pending = changed
        if not pending:
            break
    for current in pending:  # still fixable after MAX_PASSES: written as they stand
        done.append(current)
        leftovers.append(check_row(current, ruleset, kind).findings)
    return done, leftovers, keep_bom


def fix_chunks(chunks: Iterable[bytes], ruleset: RuleSet, *, unsafe: bool = False, kind: str = "chat",
               deletions: dict[int, str] | None = None, outcome: FixOutcome | None = None,
               keep_changes: bool = False, path: str | None = None, first_line: int = 1) -> Iterator[bytes]:
    """Stream the fixed file. `deletions` maps line numbers to the code of a dataset fix deleting them.

    With `path`, what no fix repaired is placed (at its line in the output) into `outcome.remaining`.
    Rows are numbered from `first_line` (only line 1 may carry a byte-order mark).
    """
    outcome = outcome if outcome is not None else FixOutcome()
    deletions = deletions or {}
    out_line = 0
    for row in rows_from_lines(chunks, first_line):
        outcome.rows += 1
        original = (BOM if row.bom else b"") + row.raw + row.eol
        if row.line in deletions:
            code = deletions[row.line]
            outcome.fixes += 1
            outcome.rows_changed += 1
            outcome.by_rule[code] = outcome.by_rule.get(code, 0) + 1
            if keep_changes:
                outcome.changes.append((row.line, original, []))
            continue
        fixes_before = outcome.fixes
        final, leftovers, keep_bom = fix_row(row, ruleset, unsafe, kind, outcome)
        if path is not None:
            for n, (current, findings) in enumerate(zip(final, leftovers), start=1):
                current.line = out_line + n
                outcome.remaining.extend(place(current, rule, f, path, ruleset) for rule, f in findings)
        out_line += len(final)
        outcome.rows_written += len(final)
        if outcome.fixes == fixes_before:
            yield original
            continue
        replaced = [r.raw + r.eol for r in final]
        if keep_bom and replaced:
            replaced[0] = BOM + replaced[0]
        if replaced == [original]:
            yield original
            continue
        outcome.rows_changed += 1
        if keep_changes:
            outcome.changes.append((row.line, original, replaced))
        yield from replaced


def _dataset_deletions(violations, ruleset: RuleSet, unsafe: bool) -> dict[int, str]:
    """Lines that a dataset rule's fix deletes (a fix with no replacement lines)."""
    codes = {r.code for r in ruleset.dataset_rules if r.fix is not NEVER}
    return {v.line: v.code for v in violations if v.code in codes and v.fix is not None
            and v.fix.lines == () and _allowed(v.fix, unsafe)}


def _needs_dataset_pass(ruleset: RuleSet, unsafe: bool) -> bool:
    """Whether a selected dataset rule could fix something: only then is the file read twice."""
    return any(r.fix is not NEVER and (unsafe or not r.unsafe_fix) for r in ruleset.dataset_rules)


def apply_fixes(data: bytes, settings: Settings, path: str = "-", *, unsafe: bool = False,
                keep_changes: bool = False, collect: bool = False) -> tuple[bytes, FixOutcome]:
    """Fix a whole buffer in memory (stdin, the language server's fix-all)."""
    ruleset = settings.ruleset_for(path)
    deletions = _dataset_deletions(check_bytes(data, path, settings).violations, ruleset, unsafe) if _needs_dataset_pass(ruleset, unsafe) else {}
    outcome = FixOutcome()
    kind = settings.kind or detect_kind(rows_from_bytes(data))
    fixed = b"".join(fix_chunks(io.BytesIO(data), ruleset, unsafe=unsafe, kind=kind,
                                deletions=deletions, outcome=outcome, keep_changes=keep_changes,
                                path=path if collect else None))
    return fixed, outcome


def fix_file(path: Path, settings: Settings, *, unsafe: bool = False, output: Path | None = None,
             write: bool = True, keep_changes: bool = False, collect: bool = False,
             on_chunk: Callable[[int], None] | None = None, display: str | None = None, jobs: int = 1) -> FixOutcome:
    """Fix `path`, writing atomically to `output` (default: in place) when anything changed.

    With `write=False` nothing is written (`--check`, `--diff`). With `jobs` > 1 a large
    file is fixed on that many cores (same bytes, same outcome).
    """
    from .parallel_fix import can_fix_in_parallel, fix_pieces

    ruleset = settings.ruleset_for(path)
    deletions = _dataset_deletions(check_file(path, settings).violations, ruleset, unsafe) if _needs_dataset_pass(ruleset, unsafe) else {}
    outcome = FixOutcome()
    # In place, a symlink's target is rewritten (renaming over the link would replace the link).
    target = output or path.resolve()
    kind = settings.kind or file_kind(path)
    shown = (display or str(output or path)) if collect else None
    with path.open("rb", buffering=STREAM_BUFFER) as stream:
        if can_fix_in_parallel(path, jobs, deletions):
            fixed = fix_pieces(path, ruleset, jobs, unsafe=unsafe, kind=kind, outcome=outcome,
                               keep_changes=keep_changes, display=shown, on_chunk=on_chunk)
        else:
            fixed = fix_chunks(_counting(stream, on_chunk), ruleset, unsafe=unsafe, kind=kind, deletions=deletions,
                               outcome=outcome, keep_changes=keep_changes, path=shown)
        if not write:
            for _ in fixed:
                pass
        elif output is not None:
            atomic_write(target, fixed, like=path)
        else:
            # In place: write to a temporary file first; rename only if something changed.
            with AtomicWriter(target, like=path) as writer:
                for chunk in fixed:
                    writer.write(chunk)
                if not outcome.changed:
                    writer.discard()
    return outcome


def _counting(stream, on_chunk: Callable[[int], None] | None) -> Iterator[bytes]:
    for chunk in stream:
        if on_chunk is not None:
            on_chunk(len(chunk))
        yield chunk


class AtomicWriter:
    """Write to a temporary file beside `path`, fsync, then rename over it.

    A crash or kill at any point leaves either the old file or the complete new one.
    """

    def __init__(self, path: Path, like: Path | None = None) -> None:
        self.path = path
        self.like = like
        self._discard = False
        folder = path.parent if str(path.parent) else Path(".")
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tunelint-tmp", dir=folder)
        self.temp = Path(name)
        self.file = os.fdopen(fd, "wb", buffering=WRITE_BUFFER)

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def discard(self) -> None:
        self._discard = True

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None and not self._discard:
                self.file.flush()
                os.fsync(self.file.fileno())
                self.file.close()
                source = self.like if self.like is not None and self.like.exists() else (self.path if self.path.exists() else None)
                if source is not None:
                    os.chmod(self.temp, source.stat().st_mode & 0o7777)
                os.replace(self.temp, self.path)
                _fsync_folder(self.path.parent)
                return
        finally:
            if not self.file.closed:
                self.file.close()
            if self.temp.exists():
                self.temp.unlink()


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, chunks: Iterable[bytes], like: Path | None = None) -> None:
    with AtomicWriter(path, like=like) as writer:
        for chunk in chunks:
            writer.write(chunk)
