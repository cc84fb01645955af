"""Apply fixes to a file's bytes: the one mechanism behind `check --fix` and `convert`.

Fixes are row-level, so a file is fixed in one streaming pass: each row is checked (by
the same `RowChecker` as a lint), its first applicable fix applied, and the result
checked again until nothing changes (at most `MAX_PASSES` times). Rows no fix touches
are copied byte for byte. Dataset-level fixes (deleting a later duplicate) need the
whole file's facts first, so they cost one extra read, and only when a selected rule
can produce them. A large file is fixed in pieces of a few MB on several processes,
written in file order, so memory stays flat whatever the file's size.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import AtomicWriter, atomic_write
from .checker import RowChecker
from .engine import check_bytes, file_checker, finish, scan
from .file_style import FileStyle
from .kinds import detect_kind
from .model import Applicability, Finding, Fix, NEVER, Violation
from .open_file import NotRegularFile, OpenFile, read_stream
from .registry import Rule
from .settings import RuleSet, Settings
from .source import BOM, Row, parse_row, rows_from_bytes, rows_from_lines, split_terminator
from .workers import fork_map, worth_parallel

MAX_PASSES = 8
BOM_RULE = "TLJ004"
PIECE_BYTES = 4 * 1024 * 1024  # small enough to keep memory flat, large enough that messaging is noise


@dataclass
class FixOutcome:
    rows: int = 0
    rows_written: int = 0  # lines in the output (a fix may write several rows, or none)
    rows_changed: int = 0
    fixes: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    changes: list[tuple[int, bytes, list[bytes]]] = field(default_factory=list)  # kept when asked (diffs)
    remaining: list[Violation] = field(default_factory=list)  # what no fix could repair (when asked)
    # Rows whose fixes did not settle: (input line, the code whose fix would undo an earlier one, or "").
    unsettled: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.rows_changed > 0

    def add(self, piece: FixOutcome) -> None:
        """Add a later piece's counts, its lines moved down past the pieces before it."""
        for line, before, after in piece.changes:
            self.changes.append((line + self.rows, before, after))
        for violation in piece.remaining:
            violation.line += self.rows_written
            self.remaining.append(violation)
        self.unsettled.extend((line + self.rows, code) for line, code in piece.unsettled)
        self.rows += piece.rows
        self.rows_written += piece.rows_written
        self.rows_changed += piece.rows_changed
        self.fixes += piece.fixes
        for code, count in piece.by_rule.items():
            self.by_rule[code] = self.by_rule.get(code, 0) + count


def _allowed(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or fix.applicability is Applicability.DISPLAY:
        return False
    return unsafe or fix.applicability is Applicability.SAFE


def _chunks(lines: Iterable[str | bytes], eol: bytes) -> list[bytes]:
    encoded = [line if isinstance(line, bytes) else line.encode("utf-8", errors="surrogatepass") for line in lines]
    if eol:
        return [line + eol for line in encoded]
    return [line + b"\n" for line in encoded[:-1]] + encoded[-1:]


def _fixed_rows(current: Row, fix: Fix, parse: bool = True) -> list[Row]:
    """The rows a fix writes in place of `current`, parsed (unless the fix knows their
    values, or nothing will read them: `parse` False)."""
    chunks = _chunks(fix.lines, current.eol)
    if not parse:
        return [Row(current.line, raw, eol=eol) for raw, eol in map(split_terminator, chunks)]
    if fix.values is None or len(fix.values) != len(chunks):
        return [parse_row(current.line, chunk) for chunk in chunks]
    return [Row(current.line, raw, value, eol=eol)
            for (raw, eol), value in zip(map(split_terminator, chunks), fix.values)]


def _first_fix(row: Row, findings: list[tuple[Rule, Finding]], unsafe: bool,
               sole: str | None = None) -> tuple[Rule, list[Row], bool] | None:
    """The first allowed fix that changes the row, with the rows it writes and whether they
    are final (a fix that settles its rule when that rule, `sole`, is the only one that
    looks at rows). A fix that would write the row as it is changes nothing: it is neither
    applied nor counted."""
    for rule, finding in findings:
        if _allowed(finding.fix, unsafe):
            final = finding.fix.settles and rule.code == sole
            rows = _fixed_rows(row, finding.fix, parse=not final)
            if len(rows) != 1 or rows[0].raw != row.raw or (rule.code == BOM_RULE and row.bom):
                return rule, rows, final
    return None


def fix_row(row: Row, checker: RowChecker, unsafe: bool,
            outcome: FixOutcome) -> tuple[list[Row], list[list[tuple[Rule, Finding]]], bool]:
    """Fix one row until nothing applies: (final rows, their unfixed findings, whether the BOM stays).

    Fixes that would bring a row back to a state it had in an earlier pass (two fixes that
    undo each other), or that still apply after `MAX_PASSES`, do not settle: the row is
    then left exactly as it came, none of its fixes counted, and `outcome.unsettled` names it.
    """
    pending = [row]
    done: list[Row] = []
    leftovers: list[list[tuple[Rule, Finding]]] = []
    keep_bom = row.bom
    seen = {(row.bom, row.raw)}  # the states the row went through (a BOM's removal is a change)
    applied_codes: list[str] = []
    sole = checker.sole_row_rule
    for _ in range(MAX_PASSES):
        changed: list[Row] = []
        for current in pending:
            findings = checker.findings(current)
            applied = _first_fix(current, findings, unsafe, sole)
            if applied is None:
                done.append(current)
                leftovers.append(findings)
                continue
            rule, rows, final = applied
            if final:  # nothing would look at them again
                applied_codes.append(rule.code)
                done.extend(rows)
                leftovers.extend([] for _ in rows)
                continue
            if any((r.bom, r.raw) in seen for r in rows):
                return _unsettled(row, checker, outcome, rule.code)
            seen.update((r.bom, r.raw) for r in rows)
            applied_codes.append(rule.code)
            if rule.code == BOM_RULE:
                keep_bom = False
            changed.extend(rows)
        pending = changed
        if not pending:
            break
    if pending:  # still fixable after MAX_PASSES
        return _unsettled(row, checker, outcome, "")
    outcome.fixes += len(applied_codes)
    for code in applied_codes:
        outcome.by_rule[code] = outcome.by_rule.get(code, 0) + 1
    return done, leftovers, keep_bom


def _unsettled(row: Row, checker: RowChecker, outcome: FixOutcome, code: str):
    outcome.unsettled.append((row.line, code))
    return [row], [checker.findings(row)], row.bom


def fix_chunks(chunks: Iterable[bytes], checker: RowChecker, *, unsafe: bool = False,
               deletions: dict[int, str] | None = None, outcome: FixOutcome | None = None,
               keep_changes: bool = False, collect: bool = False, first_line: int = 1) -> Iterator[bytes]:
    """Stream the fixed file. `deletions` maps line numbers to the code of a dataset fix deleting them.

    With `collect`, what no fix repaired is placed (at its line in the output) into
    `outcome.remaining`. Rows are numbered from `first_line` (only line 1 may carry a
    byte-order mark).
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
        final, leftovers, keep_bom = fix_row(row, checker, unsafe, outcome)
        if collect:
            for n, (current, findings) in enumerate(zip(final, leftovers), start=1):
                current.line = out_line + n
                outcome.remaining.extend(checker.place(current, rule, f) for rule, f in findings)
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


def _dataset_deletions(violations: Iterable[Violation], ruleset: RuleSet, unsafe: bool) -> dict[int, str]:
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
    deletions = {}
    if _needs_dataset_pass(ruleset, unsafe):
        deletions = _dataset_deletions(check_bytes(data, path, settings).violations, ruleset, unsafe)
    outcome = FixOutcome()
    checker = RowChecker(ruleset, settings.kind or detect_kind(rows_from_bytes(data)), path,
                         style=FileStyle(lambda: rows_from_bytes(data)))
    fixed = b"".join(fix_chunks(io.BytesIO(data), checker, unsafe=unsafe, deletions=deletions, outcome=outcome,
                                keep_changes=keep_changes, collect=collect))
    return fixed, outcome


def fix_file(path: Path, settings: Settings, *, unsafe: bool = False, output: Path | None = None,
             write: bool = True, keep_changes: bool = False, collect: bool = False,
             on_progress: Callable[[int], None] | None = None, display: str | None = None, jobs: int = 1) -> FixOutcome:
    """Fix `path`, writing atomically to `output` (default: in place) when anything changed.

    With `write=False` nothing is written (`--check`, `--diff`). With `collect`, what no
    fix repaired is kept in the outcome, named `display`. With `jobs` > 1 a large file
    is fixed on that many cores (same bytes, same outcome).
    """
    outcome = FixOutcome()
    # In place, a symlink's target is rewritten (renaming over the link would replace the link).
    target = output or path.resolve()
    try:
        source = OpenFile(path)
    except NotRegularFile:
        if write and output is None:
            raise  # a pipe or a device cannot be rewritten in place
        # Read once, into memory: a stream cannot be read again.
        fixed_data, outcome = apply_fixes(read_stream(path), settings, (display or str(output or path)) if collect else str(path),
                                          unsafe=unsafe, keep_changes=keep_changes, collect=collect)
        if write:
            atomic_write(target, [fixed_data])
        return outcome
    with source:
        checker = file_checker(source, settings, (display or str(output or path)) if collect else str(path))
        ruleset = checker.ruleset
        deletions: dict[int, str] = {}
        if _needs_dataset_pass(ruleset, unsafe):
            found = scan(rows_from_lines(source.lines()), checker)
            index = found.index
            violations = finish(found, checker, lambda wanted: index.read(source, wanted),
                                lambda wanted: index.texts(source, wanted))
            deletions = _dataset_deletions(violations, ruleset, unsafe)
        if not deletions and worth_parallel(source.size, jobs):
            fixed = _fix_pieces(source, checker, jobs, unsafe, outcome, keep_changes, collect, on_progress)
        else:
            fixed = fix_chunks(counting(source.lines(), on_progress), checker, unsafe=unsafe, deletions=deletions,
                               outcome=outcome, keep_changes=keep_changes, collect=collect)
        deliver(fixed, source, path, target, write=write, in_place=output is None, changed=lambda: outcome.changed)
    return outcome


def deliver(chunks: Iterable[bytes], source: OpenFile, path: Path, target: Path, *, write: bool, in_place: bool,
            changed: Callable[[], bool]) -> None:
    """Run `chunks` (the rewritten file, made as it is read) to their end, and write them:
    nowhere (`write=False`), to another file, or in place, where a temporary file is renamed
    over the one read only if `changed()` once all is read, and only if it is still that file."""
    if not write:
        for _ in chunks:
            pass
    elif not in_place:
        atomic_write(target, chunks, like=path, guard=source.why_not_rewrite)
    else:
        with AtomicWriter(target, like=path, guard=lambda: source.why_not_rewrite(target)) as writer:
            for chunk in chunks:
                writer.write(chunk)
            if not changed():
                writer.discard()


def _fix_pieces(source: OpenFile, checker: RowChecker, jobs: int, unsafe: bool, outcome: FixOutcome,
                keep_changes: bool, collect: bool, on_progress: Callable[[int], None] | None) -> Iterator[bytes]:
    """The fixed file's bytes, piece by piece in order, each piece fixed by a forked worker
    with the same `fix_chunks`; `outcome` sums the pieces'."""
    spans = source.ranges(max(jobs, source.size // PIECE_BYTES + 1))
    checker.style.learn()  # the file's style, from its first rows: each piece's fixes follow it

    def fix_piece(span: tuple[int, int]) -> tuple[bytes, FixOutcome]:
        start, end = span
        piece = FixOutcome()
        # Only the file's first line may carry a byte-order mark: number later pieces from 2.
        data = b"".join(fix_chunks(source.lines(start, end), checker, unsafe=unsafe, outcome=piece,
                                   keep_changes=keep_changes, collect=collect, first_line=1 if start == 0 else 2))
        if start != 0:
            piece.changes = [(line - 1, before, after) for line, before, after in piece.changes]
            piece.unsettled = [(line - 1, code) for line, code in piece.unsettled]
        return data, piece

    for (start, end), (data, piece) in zip(spans, fork_map(fix_piece, spans, jobs)):
        outcome.add(piece)
        if on_progress is not None:
            on_progress(end - start)
        yield data


def counting(lines: Iterable[bytes], on_progress: Callable[[int], None] | None) -> Iterator[bytes]:
    """`lines` as they are, each one's length told to `on_progress` (a progress bar)."""
    for chunk in lines:
        if on_progress is not None:
            on_progress(len(chunk))
        yield chunk
