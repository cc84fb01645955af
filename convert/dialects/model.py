"""What converting one row to or from a dialect gives: the new row, or why not, and what
the target could not hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Place = tuple[str, str]  # (JSON pointer into the row as read, message)


@dataclass
class Loss:
    """Something of the row the target has no place for.

    `blocking` losses change what the model is trained on (a weight, a turn's text, a
    `strict` flag): the row is converted only with `--allow-loss`. The others are told in
    the summary (call ids: the target pairs a result with its call by order or by name,
    and the way back makes new ones)."""

    pointer: str
    message: str
    blocking: bool = True
    ident: object = None  # the call id a lost id was (ids a reader made are no loss)


@dataclass
class RowResult:
    value: Any = None  # the converted row (None: it cannot be converted, see `problems`)
    problems: list[Place] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    changed: bool = True  # False: the row is already what the target wants
    made_ids: set = field(default_factory=set)  # call ids a reader made (the row had none)

    @classmethod
    def cannot(cls, pointer: str, message: str) -> RowResult:
        return cls(None, [(pointer, message)])

    @classmethod
    def same(cls, value: Any) -> RowResult:
        return cls(value, changed=False)


class Unconvertible(Exception):
    """Raised inside a converter to stop at the first thing it cannot express."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer
        self.message = message
