"""Convert a file between dialects, one row at a time, as `convert` does between formats:
rows that need no change are copied byte for byte, converted rows are written in their
line's JSON style, the result is written atomically (or only looked at: `--check`,
`--diff`), and a row that cannot be converted is left as it was and reported at its line.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ...lint.atomic import atomic_write
from ...lint.conversion import legacy_row_to_tools
from ...lint.fingerprint import digest
from ...lint.jsonstyle import write_back
from ...lint.open_file import NotRegularFile, OpenFile, read_stream
from ...lint.pointer import locate
from ...lint.fix import PIECE_BYTES, counting, deliver
from ...lint.source import BOM, Row, exact_obj, rows_from_lines
from ...lint.workers import fork_map, worth_parallel
from . import READERS, WRITERS
from .detect import NEUTRAL, Detection, detect, row_dialect
from .model import Loss, RowResult, Unconvertible


@dataclass
class Problem:
    line: int
    col: int  # 1-based
    message: str
    converted: bool  # True: the row was converted without it (`--allow-loss`)


@dataclass
class DialectConversion:
    path: str
    source: str
    target: str
    detection: Detection | None = None
    rows: int = 0
    rows_changed: int = 0
    changes: list[tuple[int, bytes, list[bytes]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What every conversion to the target leaves out and the way back makes again (call
    # ids): told once, with the lines, not row by row as a problem.
    notes: dict[str, list[int]] = field(default_factory=dict)

    def add(self, piece: DialectConversion) -> None:
        """A later piece's counts and findings, its lines moved down past the rows before it."""
        shift = self.rows
        self.changes.extend((line + shift, before, after) for line, before, after in piece.changes)
        for problem in piece.problems:
            problem.line += shift
            self.problems.append(problem)
        for message, lines in piece.notes.items():
            self.notes.setdefault(message, []).extend(line + shift for line in lines)
        self.rows += piece.rows
        self.rows_changed += piece.rows_changed

    @property
    def rows_converted(self) -> int:
        return self.rows_changed

    @property
    def unconverted(self) -> int:
        return len({p.line for p in self.problems if not p.converted})


class MixedDialects(Exception):
    def __init__(self, detection: Detection) -> None:
        super().__init__(detection.describe())
        self.detection = detection


def convert_value(obj: dict, source: str, target: str) -> RowResult:
    """One parsed row from `source` to `target` ("openai" or a writer's name)."""
    if source == "other":
        what = _not_supervised(obj) or "a row of no layout read here"
        return RowResult.cannot("", f"{what}, which is none of the dialects read here (--from names one)")
    seed = digest(obj).to_bytes(8, "big")
    try:
        if source in READERS and not (source in ("sharegpt", "vertex", "conversations") and type(obj.get("messages")) is list):
            # (A row of such a file that already holds `messages` is read as OpenAI's.)
            result = READERS[source](obj, seed)
        elif source in ("openai", NEUTRAL) and uses_legacy_format_value(obj):
            converted = legacy_row_to_tools(obj)
            if converted.value is None:
                return RowResult(None, converted.problems)
            result = RowResult(converted.value)
        else:
            result = RowResult.same(obj)
        if target in WRITERS:
            other = _not_supervised(result.value)
            if other:
                return RowResult.cannot("", f"{other}; this target takes supervised rows (`messages`)")
            written = WRITERS[target](result.value, seed)
            made = result.made_ids
            written.losses = result.losses + [loss for loss in written.losses if loss.blocking or loss.ident not in made]
            result = written
    except Unconvertible as exc:
        return RowResult.cannot(exc.pointer, exc.message)
    except RecursionError:  # deeper than the encoders go (the parser takes 1024 levels)
        return RowResult.cannot("", "the row is nested too deeply to convert")
    return result


def _not_supervised(obj: dict) -> str:
    if "messages" in obj:
        return ""
    if "input" in obj and ("preferred_output" in obj or "non_preferred_output" in obj):
        return "a DPO row (`input`, `preferred_output`, `non_preferred_output`)"
    if "prompt" in obj and "completion" in obj:
        return "a prompt/completion row (the retired completions format)"
    if "chosen" in obj and "rejected" in obj:
        return "a chosen/rejected preference pair"
    return ""


def uses_legacy_format_value(obj: dict) -> bool:
    if "functions" in obj:
        return True
    messages = obj.get("messages")
    return type(messages) is list and any(type(m) is dict and ("function_call" in m or m.get("role") == "function")
                                          for m in messages)


def convert_rows(chunks: Iterable[bytes], conversion: DialectConversion, *, allow_loss: bool = False,
                 keep_changes: bool = False, first_line: int = 1) -> Iterator[bytes]:
    """The converted file's bytes, row by row; `conversion` counts and collects on the way.
    Rows are numbered from `first_line` (only line 1 may carry a byte-order mark)."""
    for row in rows_from_lines(chunks, first_line):
        conversion.rows += 1
        original = (BOM if row.bom else b"") + row.raw + row.eol
        replaced = _converted_row(row, conversion, allow_loss)
        if replaced is None or replaced == original:
            yield original
            continue
        conversion.rows_changed += 1
        if keep_changes:
            conversion.changes.append((row.line, original, [replaced]))
        yield replaced


def _converted_row(row: Row, conversion: DialectConversion, allow_loss: bool) -> bytes | None:
    if row.error is not None:
        if row.error.kind != "blank":
            conversion.problems.append(Problem(row.line, row.error.col + 1, f"not converted: {row.error.message}", False))
        return None
    obj = exact_obj(row)
    if obj is None:
        conversion.problems.append(Problem(row.line, 1, "not converted: the row is not a JSON object", False))
        return None
    result = convert_value(obj, conversion.source, conversion.target)
    if result.value is None:
        for pointer, message in result.problems:
            _report(conversion, row, pointer, f"cannot be converted to {_name(conversion.target)}: {message}", False)
        return None
    if result.value == obj:  # already what the target holds: nothing is lost by leaving it
        return None
    blocking = [loss for loss in result.losses if loss.blocking]
    for loss in result.losses:
        if not loss.blocking:
            conversion.notes.setdefault(loss.message, [])
            lines = conversion.notes[loss.message]
            if not lines or lines[-1] != row.line:
                lines.append(row.line)
    if blocking and not allow_loss:
        for loss in blocking:
            _report(conversion, row, loss.pointer, f"not converted: {loss.message} (--allow-loss drops it)", False)
        return None
    for loss in blocking:
        _report(conversion, row, loss.pointer, f"converted without it: {loss.message}", True)
    text, why = write_back(row, result.value)
    if text is None:
        _report(conversion, row, "", f"not converted: {why}", False)
        return None
    return (BOM if row.bom else b"") + text.encode("utf-8", errors="surrogatepass") + (row.eol or b"")


def _report(conversion: DialectConversion, row: Row, pointer: str, message: str, converted: bool) -> None:
    span = locate(row.text, pointer) if pointer else None
    conversion.problems.append(Problem(row.line, (span[0] if span else 0) + 1, message, converted))


def _name(target: str) -> str:
    return {"openai": "OpenAI's format", "trl": "the TRL format", "sharegpt": "ShareGPT", "vertex": "Gemini's format",
            "mistral": "Mistral's format"}.get(target, target)


def detect_lines(lines: Iterable[bytes]) -> Detection:
    def dialects() -> Iterator[tuple[int, str]]:
        for number, line in enumerate(lines, start=1):
            raw = line[3:] if number == 1 and line.startswith(BOM) else line
            if not raw.strip():
                continue
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            yield number, row_dialect(value)
    return detect(dialects())


def convert_data(data: bytes, name: str, source: str | None, target: str, *, allow_loss: bool = False,
                 keep_changes: bool = False) -> tuple[bytes, DialectConversion]:
    """Convert a whole buffer (stdin, a pipe): detection, then the rows."""
    detection = detect_lines(io.BytesIO(data))
    conversion = DialectConversion(name, _source(source, detection), target, detection)
    out = b"".join(convert_rows(io.BytesIO(data), conversion, allow_loss=allow_loss, keep_changes=keep_changes))
    return out, conversion


def _source(given: str | None, detection: Detection) -> str:
    if given is not None:
        return given
    if detection.dialect is None:
        raise MixedDialects(detection)
    return detection.dialect


def convert_path(path: Path, source: str | None, target: str, *, output: Path | None = None, write: bool = True,
                 allow_loss: bool = False, keep_changes: bool = False, display: str | None = None,
                 on_progress: Callable[[int], None] | None = None, jobs: int = 1) -> DialectConversion:
    """Convert `path` to `output` (default: in place, atomically; only when a row changed).
    With `write=False` nothing is written. A large file is converted on `jobs` cores, a
    few MB at a time, written in order (the same bytes and findings as one process)."""
    name = display or str(path)
    target_path = output or path.resolve()
    try:
        opened = OpenFile(path)
    except NotRegularFile:
        if write and output is None:
            raise
        data, conversion = convert_data(read_stream(path), name, source, target, allow_loss=allow_loss,
                                        keep_changes=keep_changes)
        if write:
            atomic_write(target_path, [data])
        return conversion
    with opened:
        detection = detect_lines(opened.lines()) if source is None else None
        conversion = DialectConversion(name, _source(source, detection) if detection else source, target, detection)
        if worth_parallel(opened.size, jobs):
            chunks = _pieces(opened, conversion, jobs, allow_loss, keep_changes, on_progress)
        else:
            chunks = convert_rows(counting(opened.lines(), on_progress), conversion, allow_loss=allow_loss,
                                  keep_changes=keep_changes)
        deliver(chunks, opened, path, target_path, write=write, in_place=output is None,
                changed=lambda: bool(conversion.rows_changed))
    return conversion


def _pieces(opened: OpenFile, conversion: DialectConversion, jobs: int, allow_loss: bool, keep_changes: bool,
            on_progress: Callable[[int], None] | None) -> Iterator[bytes]:
    """The converted file piece by piece, each piece converted by a forked worker with the
    same `convert_rows`; `conversion` sums the pieces'."""
    spans = opened.ranges(max(jobs, opened.size // PIECE_BYTES + 1))

    def convert_piece(span: tuple[int, int]) -> tuple[bytes, DialectConversion]:
        start, end = span
        piece = DialectConversion(conversion.path, conversion.source, conversion.target)
        # Only the file's first line may carry a byte-order mark: number later pieces from 2.
        data = b"".join(convert_rows(opened.lines(start, end), piece, allow_loss=allow_loss, keep_changes=keep_changes,
                                     first_line=1 if start == 0 else 2))
        if start != 0:
            piece.changes = [(line - 1, before, after) for line, before, after in piece.changes]
            for problem in piece.problems:
                problem.line -= 1
            piece.notes = {message: [line - 1 for line in lines] for message, lines in piece.notes.items()}
        return data, piece

    for (start, end), (data, piece) in zip(spans, fork_map(convert_piece, spans, jobs)):
        conversion.add(piece)
        if on_progress is not None:
            on_progress(end - start)
        yield data


__all__ = ["DialectConversion", "MixedDialects", "Problem", "convert_data", "convert_path", "convert_value", "Loss"]
