"""Two models on the same held-out rows: both scores, their difference, and whether the
difference is more than chance on these rows (`tunelint eval --baseline`).

The test is McNemar's exact test: both models answer the same rows, so the outcomes are
paired, and only the rows where they disagree say which is better. Under "neither is
better", each disagreeing row is a fair coin: the candidate-only count is Binomial(b + c,
1/2), and the two-sided p-value is twice the smaller tail (capped at 1). Why not a test of
two proportions (chi-squared, z): it treats the two scores as independent samples, which
they are not, and with the 50-100 rows a held-out set has it is both wrong and weaker.
Why exact and not McNemar's chi-squared: with a handful of disagreeing rows (the usual
case) the chi-squared approximation is poor; the exact test is valid at any count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from math import comb
from typing import Any

import orjson

from .evaluation import RowScore, Summary, calls_of, prompt_and_target, score

METRICS = ("tool_name_accuracy", "arguments_exact_match")
TEST_NAME = "McNemar's exact test (two-sided binomial test on the rows where the models disagree)"


def mcnemar_exact(candidate_only: int, baseline_only: int) -> float:
    """The two-sided exact p-value for b rows only the candidate got right and c rows only
    the baseline did: 2 * P(X <= min(b, c)) for X ~ Binomial(b + c, 1/2), at most 1."""
    n = candidate_only + baseline_only
    if n == 0:
        return 1.0
    tail = sum(comb(n, k) for k in range(min(candidate_only, baseline_only) + 1))
    return min(1.0, 2 * tail / 2 ** n)  # integers until the one division: exact for any n


@dataclass
class Paired:
    """Per-row outcomes of one metric for both models, counted as a 2x2 table."""

    both: int = 0
    candidate_only: int = 0
    baseline_only: int = 0
    neither: int = 0

    def add(self, candidate: bool, baseline: bool) -> None:
        if candidate and baseline:
            self.both += 1
        elif candidate:
            self.candidate_only += 1
        elif baseline:
            self.baseline_only += 1
        else:
            self.neither += 1

    @property
    def rows(self) -> int:
        return self.both + self.candidate_only + self.baseline_only + self.neither

    @property
    def difference(self) -> float | None:
        """Candidate's rate minus the baseline's (None: no rows)."""
        return round((self.candidate_only - self.baseline_only) / self.rows, 4) if self.rows else None

    @property
    def p_value(self) -> float:
        return mcnemar_exact(self.candidate_only, self.baseline_only)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "both_right": self.both, "candidate_only": self.candidate_only,
                "baseline_only": self.baseline_only, "both_wrong": self.neither, "difference": self.difference,
                "p_value": round(self.p_value, 6)}


@dataclass
class Disagreement:
    line: int
    metric: str  # the first metric the two models differ on: tool names, arguments, or text vs call
    expected: str
    candidate: str
    baseline: str
    winner: str  # "candidate" or "baseline"

    def as_dict(self) -> dict:
        return {"line": self.line, "differs_on": self.metric, "expected": self.expected,
                "candidate": self.candidate, "baseline": self.baseline, "right": self.winner}


@dataclass
class Comparison:
    candidate: Summary = field(default_factory=Summary)
    baseline: Summary = field(default_factory=Summary)
    overall: dict[str, Paired] = field(default_factory=lambda: {m: Paired() for m in METRICS})
    per_tool: dict[str, dict[str, Paired]] = field(default_factory=lambda: defaultdict(lambda: {m: Paired() for m in METRICS}))
    disagreements: list[Disagreement] = field(default_factory=list)

    def add(self, line: int, row: dict, candidate_answer: dict, baseline_answer: dict) -> None:
        mine, theirs = score(row, candidate_answer), score(row, baseline_answer)
        self.candidate.add(mine)
        self.baseline.add(theirs)
        if mine.names_right is not None:
            pairs = {"tool_name_accuracy": (mine.names_right, theirs.names_right),
                     "arguments_exact_match": (bool(mine.args_match), bool(theirs.args_match))}
            for metric, (a, b) in pairs.items():
                self.overall[metric].add(a, b)
                for name in set(mine.expected_names):
                    self.per_tool[name][metric].add(a, b)
        differs = _first_difference(mine, theirs)
        if differs is not None:
            metric, candidate_right = differs
            _, expected = prompt_and_target(row) or ([], {})
            self.disagreements.append(Disagreement(line, metric, describe(expected), describe(candidate_answer),
                                                   describe(baseline_answer), "candidate" if candidate_right else "baseline"))

    def as_dict(self, candidate_model: str, baseline_model: str) -> dict:
        mine, theirs = self.candidate.as_dict(), self.baseline.as_dict()
        return {
            "model": candidate_model, "baseline": baseline_model,
            "scores": mine, "baseline_scores": theirs,
            "difference": {k: (round(mine[k] - theirs[k], 4) if mine[k] is not None and theirs[k] is not None else None)
                           for k in ("tool_name_accuracy", "arguments_exact_match", "arguments_valid",
                                     "text_vs_call_agreement")},
            "paired_test": TEST_NAME,
            "paired": {m: p.as_dict() for m, p in self.overall.items()},
            "per_tool": {name: {m: p.as_dict() for m, p in metrics.items()} for name, metrics in sorted(self.per_tool.items())},
            "disagreements": [d.as_dict() for d in self.disagreements],
        }


def _first_difference(mine: RowScore, theirs: RowScore) -> tuple[str, bool] | None:
    """(what the two differ on, whether the candidate is the one that is right), or None."""
    if mine.names_right is not None and mine.names_right != theirs.names_right:
        return "tool names", bool(mine.names_right)
    if mine.names_right is not None and bool(mine.args_match) != bool(theirs.args_match):
        return "arguments", bool(mine.args_match)
    if mine.kind_agrees != theirs.kind_agrees:
        return "text vs call", mine.kind_agrees
    return None


def describe(message: Any) -> str:
    """An answer as a person reads it: `get_weather({"city":"Oslo"})`, or its text."""
    if type(message) is not dict:
        return "(no answer)"
    calls = calls_of(message)
    if calls:
        raw = _raw_arguments(message)
        return "; ".join(f"{name}({_compact(arguments) if arguments is not None else raw[i] if i < len(raw) else ''})"
                         for i, (name, arguments) in enumerate(calls))
    content = message.get("content")
    if type(content) is str:
        text = " ".join(content.split())
        return f'text "{text[:60]}{"..." if len(text) > 60 else ""}"'
    return "(empty answer)"


def _raw_arguments(message: dict) -> list[str]:
    """Each call's arguments as written (what an answer whose arguments are no JSON said)."""
    calls = message.get("tool_calls") if type(message.get("tool_calls")) is list else []
    if type(message.get("function_call")) is dict:
        calls = [*calls, {"function": message["function_call"]}]
    found = []
    for call in calls:
        function = call.get("function") if type(call) is dict else None
        if type(function) is dict:
            arguments = function.get("arguments")
            text = arguments if type(arguments) is str else _compact(arguments)
            found.append(text if len(text) <= 80 else text[:77] + "...")
    return found


def _compact(value: Any) -> str:
    if value is None:
        return ""
    try:
        text = orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
