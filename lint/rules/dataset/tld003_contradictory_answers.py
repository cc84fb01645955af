from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from itertools import compress
from operator import itemgetter
from typing import Any

from ...fingerprint import intern_names, prompt_fingerprint, target_of
from ...model import WARNING, DatasetFinding, Related, Severity
from ...registry import dataset_rule
from ...source import Row
from .facts import conversation, dataset_facts


def _prompt_and_target(row: Row, options: Mapping[str, Any]) -> tuple[int, int, str, tuple[str, ...]] | None:
    """The exact fact: (prompt fingerprint, answer fingerprint, answer kind, called names)."""
    obj = conversation(row)
    if obj is None:
        return None
    messages = obj["messages"]
    # The last assistant turn, as the survey finds it (a row read again has no survey yet).
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if type(message) is dict and message.get("role") == "assistant":
            break
    else:
        return None
    prompt = prompt_fingerprint(obj, index, row.analysis)
    target, kind, names = target_of(message)
    return prompt, target, kind, intern_names(names)


def _prompt_key(row: Row, options: Mapping[str, Any]) -> int | None:
    """The screening key of the prompt before the row's answer (None: no answer)."""
    found = dataset_facts(row)
    return found.prompt_key if found is not None else None


@dataset_rule("TLD003", "contradictory-answers", WARNING, collect=_prompt_key, exact=_prompt_and_target)
def contradictory_answers(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Rows with the same prompt teach different answers.

    The prompt is everything before the last assistant turn (system and user turns,
    earlier turns, tool results) plus the declared tools; ids are ignored (call ids,
    `tool_call_id`, and any other key ending in `id`, such as a message id). The answer
    is that last assistant turn: its text, or its calls (names and parsed arguments).

    The message says what differs: another tool, or other arguments (a warning), or a text
    answer worded differently (info: often a paraphrase rather than a contradiction).

    ## Why is this bad?
    The model is trained to give both answers to the same input, so it learns neither;
    for tool calls it learns to guess between arguments. Usually one of the rows was
    labelled by an older version of the pipeline.

    ## Example
    Line 10: user "Book for 4 at 8pm" -> `book_table({"guests": 4, "time": "20:00"})`.
    Line 87: the same prompt -> `book_table({"guests": 4, "time": "8pm"})`.

    ## Use instead
    Decide the right answer and make every copy of the prompt teach it.
    """
    # Most prompts occur once: count them at C speed and walk only the rows whose prompt repeats.
    pairs = list(facts)
    prompts = [fact[0] for fact in map(itemgetter(1), pairs)]
    counts = Counter(prompts)
    if len(counts) == len(prompts):
        return
    repeated = {prompt for prompt, n in counts.items() if n > 1}
    first_by_prompt: dict[int, tuple[int, int, str, tuple[str, ...]]] = {}
    answers: dict[int, set[int]] = defaultdict(set)
    for line, (prompt, target, kind, names) in compress(pairs, map(repeated.__contains__, prompts)):
        known = first_by_prompt.get(prompt)
        if known is None:
            first_by_prompt[prompt] = (line, target, kind, names)
            answers[prompt].add(target)
            continue
        if target in answers[prompt]:
            continue  # the same answer again (a duplicate, not a contradiction)
        answers[prompt].add(target)
        other_line, _, other_kind, other_names = known
        difference, severity = _difference(kind, names, other_kind, other_names)
        yield DatasetFinding(line, f"same prompt as line {other_line} but {difference}",
                             related=(Related(other_line, "the other answer"),), severity=severity)


def _difference(kind: str, names: tuple[str, ...], other_kind: str,
                other_names: tuple[str, ...]) -> tuple[str, Severity | None]:
    """What differs between the two answers, and how grave it is: another tool or other
    arguments is the rule's warning; two text answers that differ are often the same
    answer worded two ways (info)."""
    if kind == other_kind == "text":
        return "the text answer is worded differently (a paraphrase, or another answer)", Severity.INFO
    if kind != other_kind:
        return ("a text answer where it calls a tool" if kind == "text" else "a tool call where it answers in text"), None
    if names == other_names:
        return f"other arguments to {', '.join(f'`{n}`' for n in names)}", None
    return f"calls {', '.join(f'`{n}`' for n in names)} instead of {', '.join(f'`{n}`' for n in other_names)}", None
