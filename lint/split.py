"""A held-out split that does not leak: `tunelint split`.

Two passes over the file, so memory holds a few integers per line, never the rows' text:

1. Fingerprints. Each row's exact fingerprint, its normalised-text fingerprint (what
   `duplicate-row`, `near-duplicate-row` and `train-validation-overlap` compare) and its
   prompt fingerprint (what `contradictory-answers` compares: everything before the last
   assistant turn, plus the tools), and the prompt's text up to case and spacing, join rows
   into groups (union-find): a group lands whole on one side, so no copy, near copy or
   re-asked prompt of a held-out row is trained on, whatever answer it was given.
2. Copy. The file is read again and each line's bytes go to the side its group was given.

Groups are stratified by the tools their rows call (or "no call"): each stratum's share of
the held-out rows follows its share of the file (largest remainders), and at least one
group of every stratum stays in training, so every tool that is held out is also trained on.
A stratum with a single group cannot give one away: its tools are reported.

Deterministic: groups are ordered by their first line and shuffled with `random.Random(seed)`;
the fingerprints' per-process salt only decides which rows are equal, never an order.
"""

from __future__ import annotations

import random
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import AtomicWriter, SourceChanged
from .fingerprint import (digest_bytes, message_text, normalise, prompt_fingerprint, quick, row_fingerprint,
                          training_text_digest)
from .kinds import row_kind
from .open_file import OpenFile
from .source import BOM, parse_row
from .survey import survey

NO_CALL = "(no call)"  # how the stratum of examples that call no tool is named


class SplitError(Exception):
    """The split cannot be made as asked (a one-line message for the user)."""


class WriteFailed(OSError):
    """Writing the outputs failed (a full disk, a folder that is not there): nothing was written."""


@dataclass
class Stratum:
    """The rows that call one set of tools (a key of sorted names; () for no call)."""

    key: tuple[str, ...]
    rows: int = 0
    groups: int = 0
    held_out: int = 0

    @property
    def name(self) -> str:
        return ", ".join(self.key) if self.key else NO_CALL


@dataclass
class SplitPlan:
    """Which side each line goes to, and what the split did (for the report)."""

    lines: int = 0
    examples: int = 0  # object rows
    eligible: int = 0  # rows that may be held out (they have an answer to score)
    held_out: int = 0
    target: int = 0
    groups: int = 0
    grouped_rows: int = 0  # rows that share a group with another row
    not_rows: list[int] = field(default_factory=list)  # lines that are no JSON object (kept in training)
    unanswered: int = 0  # object rows with no answer to score (kept in training)
    strata: list[Stratum] = field(default_factory=list)
    untestable_tools: list[tuple[str, int]] = field(default_factory=list)  # (tool, rows): one group, none to spare
    unheld_tools: list[tuple[str, int]] = field(default_factory=list)  # (tool, rows): could be, but none held out
    side: bytearray = field(default_factory=bytearray)  # per line: 1 held out, 0 training
    bom: bool = False

    @property
    def training(self) -> int:
        return self.lines - self.held_out

    def as_dict(self) -> dict:
        return {"lines": self.lines, "examples": self.examples, "held_out": self.held_out, "training": self.training,
                "asked": self.target, "groups": self.groups, "rows_in_shared_groups": self.grouped_rows,
                "lines_not_rows": self.not_rows, "rows_without_answer": self.unanswered,
                "strata": [{"tools": list(s.key), "rows": s.rows, "groups": s.groups, "held_out": s.held_out}
                           for s in self.strata],
                "tools_too_few_to_hold_out": [{"tool": t, "rows": n} for t, n in self.untestable_tools],
                "tools_not_held_out": [{"tool": t, "rows": n} for t, n in self.unheld_tools]}


class _Groups:
    """Union-find over line indices, in two arrays (no object per row)."""

    def __init__(self) -> None:
        self.parent = array("q")
        self.size = array("q")

    def add(self) -> int:
        self.parent.append(len(self.parent))
        self.size.append(1)
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:  # path compression
            parent[i], i = root, parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a == b:
            return
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]


def holdout_count(holdout: float, eligible: int) -> int:
    """`--holdout 80` is 80 rows; `--holdout 0.1` is a tenth of the rows that can be held out."""
    if holdout <= 0:
        raise SplitError("--holdout must be a positive count of rows or a share between 0 and 1")
    if holdout < 1:
        return max(1, round(holdout * eligible)) if eligible else 0
    if holdout != int(holdout):
        raise SplitError(f"--holdout {holdout:g}: a count of rows is a whole number (a share is below 1)")
    return int(holdout)


def plan_split(source: OpenFile, holdout: float, seed: int = 0) -> SplitPlan:
    """Pass 1: the groups, the strata and the side of every line."""
    plan = SplitPlan()
    groups = _Groups()
    # exact, normalised text, prompt, normalised prompt -> first row index
    first_by: tuple[dict[int, int], ...] = ({}, {}, {}, {})
    line_of_row = array("q")  # row index -> 0-based line
    eligible_rows = bytearray()  # per row: may be held out
    tools_of_row: list[tuple[str, ...]] = []  # interned tuples, one per distinct set
    interned: dict[tuple[str, ...], tuple[str, ...]] = {}
    for number, chunk in enumerate(source.lines(), start=1):
        plan.lines += 1
        row = parse_row(number, chunk)
        if number == 1:
            plan.bom = row.bom
        obj = row.obj
        if obj is None:
            if row.error is None or row.error.kind != "blank":
                plan.not_rows.append(number)
            continue
        index = groups.add()
        line_of_row.append(number - 1)
        plan.examples += 1
        prints = [row_fingerprint(obj, row.analysis), None, None, None]
        kind = row_kind(row)
        can_score = kind in ("dpo", "rft")
        names: tuple[str, ...] = ()
        if kind == "dpo":  # a preference pair: its prompt is its `input`
            prompt = obj.get("input")
            turns = prompt.get("messages") if type(prompt) is dict else None
            prints[2] = quick([prompt, None, None])
            prints[3] = prompt_text_digest(turns) if type(turns) is list else None
        elif type(obj.get("messages")) is list:
            prints[1] = training_text_digest(obj)
            chat = survey(row)
            if kind == "rft":  # a reinforcement row's messages are all prompt (the grader judges the answer)
                prints[3] = prompt_text_digest(obj["messages"])
            elif chat.last_assistant >= 0:
                last = chat.message_dicts[chat.last_assistant][0]
                prints[2] = prompt_fingerprint(obj, last, row.analysis)
                prints[3] = prompt_text_digest(obj["messages"][:last])
                can_score = last > 0
            names = tuple(sorted({c.name for c in chat.calls if type(c.name) is str}))
        names = interned.setdefault(names, names)
        tools_of_row.append(names)
        eligible_rows.append(1 if can_score else 0)
        for which, fingerprint in enumerate(prints):
            if fingerprint is not None:
                first = first_by[which].setdefault(fingerprint, index)
                if first != index:
                    groups.union(first, index)
    del first_by
    plan.side = bytearray(plan.lines)
    plan.eligible = sum(eligible_rows)
    plan.unanswered = plan.examples - plan.eligible
    _assign(plan, groups, line_of_row, eligible_rows, tools_of_row, holdout, seed)
    return plan


def prompt_text_digest(turns: list) -> int:
    """The prompt's text up to case, Unicode form and spacing (tools and ids left out): the
    same question asked again, whatever the answer it was given."""
    return digest_bytes(normalise("\x1e".join(message_text(m) for m in turns if type(m) is dict))
                        .encode("utf-8", "surrogatepass"))


def _assign(plan: SplitPlan, groups: _Groups, line_of_row: array, eligible_rows: bytearray,
            tools_of_row: list[tuple[str, ...]], holdout: float, seed: int) -> None:
    # Each group: its rows, whether all may be held out, the tools its rows call.
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(line_of_row)):
        members[groups.find(index)].append(index)
    plan.groups = len(members)
    plan.grouped_rows = sum(len(m) for m in members.values() if len(m) > 1)
    by_stratum: dict[tuple[str, ...], list[list[int]]] = defaultdict(list)
    for root in sorted(members, key=lambda r: members[r][0]):  # by first line: the salt never orders anything
        rows = members[root]
        key = tuple(sorted({name for i in rows for name in tools_of_row[i]}))
        by_stratum[key].append(rows)
    strata = {key: Stratum(key, sum(map(len, gs)), len(gs)) for key, gs in by_stratum.items()}
    plan.strata = sorted(strata.values(), key=lambda s: (-s.rows, s.key))
    target = holdout_count(holdout, plan.eligible)
    plan.target = target
    if target >= plan.eligible and plan.eligible:
        raise SplitError(f"--holdout asks for {target:,} rows but only {plan.eligible:,} rows have an answer "
                         f"to hold out, and training needs some")
    rng = random.Random(seed)
    open_groups: dict[tuple[str, ...], list[list[int]]] = {}
    for key, gs in by_stratum.items():
        candidates = [g for g in gs if all(eligible_rows[i] for i in g)]
        rng.shuffle(candidates)
        # One group of every stratum stays in training: the one with the most rows
        # (a tool's examples teach more there), the first one shuffled on ties.
        if len(candidates) == len(gs):
            keep = max(range(len(candidates)), key=lambda k: (len(candidates[k]), -k))
            candidates.pop(keep)
        open_groups[key] = candidates
    quotas = _quotas({k: strata[k].rows for k in by_stratum}, target)
    taken = 0
    for key in sorted(by_stratum):  # sorted keys: the same order whatever the dict's
        stratum = strata[key]
        for g in list(open_groups[key]):
            if stratum.held_out + len(g) <= quotas[key] and taken + len(g) <= target:
                open_groups[key].remove(g)
                _hold_out(plan, g, line_of_row)
                stratum.held_out += len(g)
                taken += len(g)
    # Groups larger than a stratum's remainder: fill what is left from the strata furthest below quota.
    while taken < target:
        best = None
        for key in sorted(by_stratum, key=lambda k: (strata[k].held_out - quotas[k], k)):
            fitting = [g for g in open_groups[key] if taken + len(g) <= target]
            if fitting:
                best = key, min(fitting, key=len)
                break
        if best is None:
            break
        key, g = best
        open_groups[key].remove(g)
        _hold_out(plan, g, line_of_row)
        strata[key].held_out += len(g)
        taken += len(g)
    plan.held_out = taken
    # Tools with no held-out example: too few groups to give one away and still train on it,
    # or too small a share for the held-out rows asked for.
    rows_by_tool: Counter = Counter()
    groups_by_tool: Counter = Counter()
    tested: set[str] = set()
    for key, gs in by_stratum.items():
        for name in key:
            groups_by_tool[name] += len(gs)
            rows_by_tool[name] += sum(map(len, gs))
            if strata[key].held_out:
                tested.add(name)
    plan.untestable_tools = sorted((name, rows_by_tool[name]) for name in rows_by_tool
                                   if name not in tested and groups_by_tool[name] < 2)
    plan.unheld_tools = sorted((name, rows_by_tool[name]) for name in rows_by_tool
                               if name not in tested and groups_by_tool[name] >= 2)


def _hold_out(plan: SplitPlan, rows: list[int], line_of_row: array) -> None:
    for i in rows:
        plan.side[line_of_row[i]] = 1


def _quotas(sizes: dict[tuple[str, ...], int], target: int) -> dict[tuple[str, ...], int]:
    """Each stratum's share of `target`, proportional to its rows (largest remainders)."""
    total = sum(sizes.values())
    if not total:
        return {k: 0 for k in sizes}
    exact = {k: target * n / total for k, n in sizes.items()}
    quotas = {k: int(v) for k, v in exact.items()}
    left = target - sum(quotas.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - quotas[k]), k))[:left]:
        quotas[k] += 1
    return quotas


def write_split(source: OpenFile, plan: SplitPlan, training: Path, held_out: Path) -> None:
    """Pass 2: every line's bytes to its side, both files written atomically. A byte-order
    mark starts the training file; a last line without a newline gets one only where
    another line follows it in its file."""
    guard = lambda: source.why_not_rewrite()  # noqa: E731  (the input changed while it was read: nothing is written)
    with AtomicWriter(training, guard=guard) as train, AtomicWriter(held_out, guard=guard) as held:
        sinks = (train, held)
        pending: list[bytes | None] = [None, None]  # each file's last line, held back until the next one comes
        if plan.bom:
            train.write(BOM)
        for number, chunk in enumerate(source.lines(), start=1):
            if number > plan.lines:
                break  # the file grew meanwhile: the guard refuses the write
            if number == 1 and chunk.startswith(BOM):
                chunk = chunk[len(BOM):]
            side = plan.side[number - 1]
            previous = pending[side]
            if previous is not None:
                sinks[side].write(previous if previous.endswith(b"\n") else previous + _newline(previous, chunk))
            pending[side] = chunk
        for side, last in enumerate(pending):
            if last is not None:
                sinks[side].write(last)


def _newline(previous: bytes, following: bytes) -> bytes:
    return b"\r\n" if following.endswith(b"\r\n") else b"\n"


def split_file(path: Path, holdout: float, training: Path, held_out: Path, seed: int = 0) -> SplitPlan:
    """Split `path` into `training` and `held_out`; the plan says what went where."""
    with OpenFile(path) as source:
        plan = plan_split(source, holdout, seed)
        if plan.eligible == 0:
            raise SplitError(f"{path} has no row with an answer to hold out (an assistant turn after a prompt); "
                             f"`tunelint check {path}` says what its rows are")
        try:
            write_split(source, plan, training, held_out)
        except SourceChanged:
            raise
        except OSError as exc:
            named = exc.filename if exc.filename in (str(training), str(held_out)) else f"{training} and {held_out}"
            raise WriteFailed(exc.errno, exc.strerror or str(exc), named) from exc
    return plan


def sides(plan: SplitPlan) -> Iterator[tuple[int, int]]:
    """(line number, side) of every line: 1 held out, 0 training."""
    return ((n + 1, s) for n, s in enumerate(plan.side))
