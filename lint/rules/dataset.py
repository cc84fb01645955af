"""TLD: dataset. What only shows across rows: duplicates, contradictions, drift, balance.

Every rule here keeps a small fact per row (64-bit fingerprints, short names) and looks
at the whole file only through them; no parsed row outlives its line. `duplicate-row` and
`contradictory-answers` keep a screening key and work out exact fingerprints only for
the rows whose key repeats (see `screening`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from itertools import chain, compress
from operator import itemgetter
from typing import Any

from ..kinds import row_kind
from ..survey import survey
from ..facts import FactColumn
from ..fingerprint import (declared_names, intern_names, prompt_fingerprint, row_fingerprint, screening_keys, shared,
                           system_fingerprint, target_of, tools_fingerprint, training_text_digest)
from ..model import ALWAYS, ERROR, INFO, WARNING, Applicability, DatasetFinding, Fix, Related, Severity
from ..registry import Option, cross_file_rule, dataset_rule
from ..source import Row


def _chat(row: Row) -> dict | None:
    obj = row.obj
    return obj if obj is not None and type(obj.get("messages")) is list else None


class _RowFacts:
    """What the dataset rules keep of one row, worked out in one go.

    Each rule has its own collector; apart, they would each look up the row's messages,
    survey and tools again, and on the benchmark file they cost about a third of what
    the row rules do (half that, together). None where a fact does not apply.
    """

    __slots__ = ("row_key", "prompt_key", "tools_signature", "trainable", "tool_use", "system")


def _facts(row: Row) -> _RowFacts | None:
    """The row's facts (None for a line that is not a JSON object)."""
    obj = row.obj
    if obj is None:
        return None
    analysis = row.analysis
    found = analysis.dataset
    if found is not None:
        return found
    found = analysis.dataset = _RowFacts()
    tools = obj.get("tools")
    declared, by_name = declared_names(obj, "tools" if type(tools) is list else "functions", analysis)
    # Empty arrays declare nothing to drift from.
    found.tools_signature = shared((by_name, tools_fingerprint(obj, analysis))) if type(tools) is list and tools else None
    kind = row_kind(row)
    if type(obj.get("messages")) is not list:  # not a conversation: it keeps its exact fingerprint
        found.row_key = row_fingerprint(obj, analysis)
        found.prompt_key = found.tool_use = found.system = None
        found.trainable = True if kind in ("dpo", "rft") else None
        return found
    chat = survey(row)
    found.row_key, found.prompt_key = screening_keys(obj, chat.message_dicts, chat.contents, chat.last_assistant, analysis)
    # A pair always trains; an RFT row needs no assistant target.
    found.trainable = True if kind in ("dpo", "rft") else chat.trained_assistants > 0
    called = intern_names(tuple([c.name for c in chat.calls if type(c.name) is str]))
    found.tool_use = shared((declared, called)) if declared or called else None
    found.system = _system_fingerprint(chat.message_dicts)
    return found


# --- duplicate-row ---------------------------------------------------------------------------

def _row_digest(row: Row, options: Mapping[str, Any]) -> int | None:
    return row_fingerprint(row.obj, row.analysis) if row.obj is not None else None


def _row_key(row: Row, options: Mapping[str, Any]) -> int | None:
    """The screening key of a row; a row that is not a conversation keeps its exact fingerprint."""
    found = _facts(row)
    return found.row_key if found is not None else None


@dataset_rule("TLD001", "duplicate-row", WARNING, collect=_row_key, exact=_row_digest, fix=ALWAYS,
              unsafe_fix=True)
def duplicate_row(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A row is the same training example as an earlier row.

    Rows are compared as parsed JSON: key order, whitespace and escaping do not matter.
    The message names the line of the first copy.

    ## Why is this bad?
    A duplicated example weighs twice in training: the model over-learns it, and the
    loss on a validation copy of it means nothing. Duplicates usually come from merging
    exports or re-running a generation step.

    ## Example
    Line 7 and line 412 hold the same conversation, once written with `"role": "user"`
    first and once with `"content"` first.

    ## Use instead
    Keep one copy. The fix deletes the later copies; it is unsafe (opt-in with
    `--unsafe-fixes`) because it changes how much the example weighs.
    """
    first: dict[int, int] = {}
    for line, fingerprint in facts:
        original = first.setdefault(fingerprint, line)
        if original != line:
            yield DatasetFinding(line, f"row duplicates line {original}",
                                 related=(Related(original, "first copy"),),
                                 fix=Fix("Delete this later copy", Applicability.UNSAFE, ()))


# --- near-duplicate-row ----------------------------------------------------------------------

def _text_digest(row: Row, options: Mapping[str, Any]) -> tuple[int, int] | None:
    obj = _chat(row)
    return (row_fingerprint(obj, row.analysis), training_text_digest(obj)) if obj is not None else None


@dataset_rule("TLD002", "near-duplicate-row", INFO, collect=_text_digest, default=False)
def near_duplicate_row(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A row has the same training text as an earlier row, up to case, Unicode form and spacing.

    Off by default: normalising every text (NFKC, case folding) costs about as much as
    the rest of the dataset rules together. Exact copies are left to `duplicate-row`.

    ## Why is this bad?
    "Book a table" and "book a  table" teach the same thing twice; near-duplicates skew
    training the way duplicates do, and survive naive deduplication.

    ## Example
    `{"role": "user", "content": "Weather in Oslo?"}` on one row and
    `{"role": "user", "content": "weather in  OSLO?"}` on another, same answer.

    ## Use instead
    Keep one of them, or vary them for real.
    """
    first: dict[int, int] = {}
    exact: set[int] = set()
    for line, (row_print, text_print) in facts:
        if row_print in exact:
            continue  # an exact copy: duplicate-row reports it
        exact.add(row_print)
        original = first.setdefault(text_print, line)
        if original != line:
            yield DatasetFinding(line, f"row has the same training text as line {original} (up to case and spacing)",
                                 related=(Related(original, "the near-duplicate"),))


# --- contradictory-answers -------------------------------------------------------------------

def _prompt_and_target(row: Row, options: Mapping[str, Any]) -> tuple[int, int, str, tuple[str, ...]] | None:
    """The exact fact: (prompt fingerprint, answer fingerprint, answer kind, called names)."""
    obj = _chat(row)
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
    found = _facts(row)
    return found.prompt_key if found is not None else None


@dataset_rule("TLD003", "contradictory-answers", WARNING, collect=_prompt_key, exact=_prompt_and_target)
def contradictory_answers(facts: list[tuple[int, Any]], options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Rows with the same prompt teach different answers.

    The prompt is everything before the last assistant turn (system and user turns,
    earlier turns, tool results) plus the declared tools; ids are ignored (call ids,
    `tool_call_id`, and any other key ending in `id`, such as a message id). The answer
    is that last assistant turn: its text, or its calls (names and parsed arguments).

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
        yield DatasetFinding(line, f"same prompt as line {other_line} but {_difference(kind, names, other_kind, other_names)}",
                             related=(Related(other_line, "the other answer"),))


def _difference(kind: str, names: tuple[str, ...], other_kind: str, other_names: tuple[str, ...]) -> str:
    if kind == other_kind == "text":
        return "a different answer"
    if kind != other_kind:
        return "a text answer where it calls a tool" if kind == "text" else "a tool call where it answers in text"
    if names == other_names:
        return f"different arguments to {', '.join(f'`{n}`' for n in names)}"
    return f"calls {', '.join(f'`{n}`' for n in names)} instead of {', '.join(f'`{n}`' for n in other_names)}"


# --- inconsistent-tools ----------------------------------------------------------------------

def _tools_signature(row: Row, options: Mapping[str, Any]) -> tuple[tuple[str, ...], int] | None:
    """(declared names sorted, the `tools` array's fingerprint)."""
    found = _facts(row)
    return found.tools_signature if found is not None else None


@dataset_rule("TLD004", "inconsistent-tools", INFO, collect=_tools_signature)
def inconsistent_tools(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A row's `tools` differ from the ones most rows declare for the same functions.

    Rows are grouped by the set of function names they declare; within a group, the
    definition most rows use is the reference, and every row that differs is reported
    with the line of a reference row.

    ## Why is this bad?
    A drifted schema (a renamed parameter, an enum that lost a value, a changed
    description) means the model sees two definitions of one tool and learns calls that
    fit only one. It is usually an old export mixed with a new one.

    ## Example
    950 rows declare `get_weather(city, unit)`; 50 rows declare `get_weather(location, unit)`.

    ## Use instead
    Regenerate the old rows with the current definitions.
    """
    # Facts repeat (one toolbox on most rows): count distinct (names, fingerprint) pairs first.
    lines, values = facts.lines, facts.values
    combos = Counter(values)
    groups: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    for (names, fingerprint), count in combos.items():
        groups[names][fingerprint] += count
    odd = {}
    for names, counts in groups.items():
        if len(counts) < 2:
            continue
        (reference, most), *others = counts.most_common()
        odd.update({(names, fp): (reference, most) for fp, n in others if n != most})
    if not odd:
        return
    first_line = dict(zip(reversed(values), reversed(lines)))  # C speed, as the rest of this
    for line, fact in compress(zip(lines, values), map(odd.__contains__, values)):
        names, _ = fact
        reference, most = odd[fact]
        shown = ", ".join(f"`{n}`" for n in names)
        ref_line = first_line[(names, reference)]
        yield DatasetFinding(line, f"`tools` differ from those of {most:,} rows declaring {shown} (e.g. line {ref_line})",
                             pointer="/tools", on_key=True, related=(Related(ref_line, "the usual definition"),))


# --- too-few-examples ------------------------------------------------------------------------

def _trainable(row: Row, options: Mapping[str, Any]) -> bool | None:
    found = _facts(row)
    return found.trainable if found is not None else None


@dataset_rule("TLD005", "too-few-examples", ERROR, collect=_trainable, options=(
    Option("min-error", int, 10, "fewer trainable rows than this is an error (the platform's minimum)"),
    Option("min-warning", int, 50, "fewer than this is a warning (below the recommended size)"),
))
def too_few_examples(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """A file has too few trainable examples.

    Fewer than 10 (the platform's minimum) is an error; fewer than 50 (the recommended
    starting size) is a warning. Both thresholds are options.

    ## Why is this bad?
    The platform refuses a training file with fewer than 10 examples; below about 50, a
    fine-tune rarely beats a good prompt and mostly memorises.

    ## Example
    A `train.jsonl` with 8 conversations.

    ## Use instead
    Write or collect more examples (50 to 100 well-chosen ones is a good start).
    """
    if not facts:
        return  # no chat rows at all: empty-file or the structure rules say why
    trainable = sum(map(bool, facts.values))
    if trainable < options["min-error"]:
        yield DatasetFinding(1, f"file has {trainable} trainable example{'s' if trainable != 1 else ''}; "
                                f"fine-tuning needs at least {options['min-error']}", span=(0, 0))
    elif trainable < options["min-warning"]:
        yield DatasetFinding(1, f"file has {trainable} trainable examples; at least {options['min-warning']} "
                                f"are recommended", span=(0, 0), severity=Severity.WARNING)


# --- tool-imbalance --------------------------------------------------------------------------

def _tool_use(row: Row, options: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(names declared, names called), both interned."""
    found = _facts(row)
    return found.tool_use if found is not None else None


@dataset_rule("TLD006", "tool-imbalance", WARNING, collect=_tool_use, options=(
    Option("max-share", (int, float), 0.6, "the largest share of all calls one tool may take"),
    Option("min-calls", int, 20, "below this many calls in the file, balance is not judged"),
))
def tool_imbalance(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """One tool takes most of the calls, or a declared tool is never called.

    ## Why is this bad?
    A model trained mostly on one tool learns to reach for it whatever the request; a
    tool that is declared but never called teaches the model that it exists and is never
    the answer, so it will not call it when it should.

    ## Example
    `get_weather` makes 870 of 1,000 calls while `book_table` and `cancel_booking` share
    the rest; `refund` is declared in every row and never called.

    ## Use instead
    Add examples that call the neglected tools (and, where the right answer is no call
    at all, examples that say so), or drop tools the model should not learn.
    """
    # C-speed passes: every called name counted; the first line of each distinct set of
    # declared names (a handful per file), from which each name's first declaration follows.
    lines, values = facts.lines, facts.values
    declared_sets = list(map(itemgetter(0), values))
    counts = Counter(chain.from_iterable(map(itemgetter(1), values)))
    declared_first: dict[str, int] = {}
    first_of = dict(zip(reversed(declared_sets), reversed(lines)))
    for declared, line in sorted(first_of.items(), key=itemgetter(1)):  # in file order, as they appear
        for name in declared:
            if line < declared_first.get(name, line + 1):
                declared_first[name] = line
    total = sum(counts.values())
    if total >= options["min-calls"] and len(declared_first) > 1:
        name, most = counts.most_common(1)[0]
        share = most / total
        if share > options["max-share"]:
            line = declared_first.get(name, 1)
            yield DatasetFinding(line, f"`{name}` takes {share:.0%} of the file's {total:,} calls "
                                       f"(more than {options['max-share']:.0%})", pointer="/tools", on_key=True)
    if total >= options["min-calls"]:
        for name, line in sorted(declared_first.items(), key=lambda item: item[1]):
            if name not in counts:
                yield DatasetFinding(line, f"`{name}` is declared but never called in this file", pointer="/tools",
                                     on_key=True)


# --- train-validation-overlap ------------------------------------------------------------------

def _training_fingerprints(row: Row, options: Mapping[str, Any]) -> tuple[int, int] | None:
    """(exact fingerprint, normalised-text fingerprint) of a conversation row."""
    obj = _chat(row)
    return (row_fingerprint(obj, row.analysis), training_text_digest(obj)) if obj is not None else None


@cross_file_rule("TLD008", "train-validation-overlap", ERROR, collect=_training_fingerprints)
def train_validation_overlap(training: FactColumn, validation: FactColumn, options: Mapping[str, Any],
                             training_name: str) -> Iterator[DatasetFinding]:
    """A row of the validation file is also in the training file (exactly, or up to case and spacing).

    Checked for `tunelint check train.jsonl --validation valid.jsonl`, and for files
    checked together whose names pair up (`train.jsonl` and `valid.jsonl`,
    `x_train.jsonl` and `x_validation.jsonl`, in one folder). The diagnostic is on the
    validation row and names the training line.

    ## Why is this bad?
    Validation loss on rows the model trained on measures memory, not learning: it looks
    good while the model overfits, and the job's early stopping and your model choice
    rest on it.

    ## Example
    `valid.jsonl` line 3 is the same conversation as `train.jsonl` line 1,208.

    ## Use instead
    Remove the shared rows from one side (split after deduplicating).
    """
    exact: dict[int, int] = {}
    normalised: dict[int, int] = {}
    for line, (row_print, text_print) in training:
        exact.setdefault(row_print, line)
        normalised.setdefault(text_print, line)
    for line, (row_print, text_print) in validation:
        if row_print in exact:
            other, how = exact[row_print], ""
        elif text_print in normalised:
            other, how = normalised[text_print], " (up to case and spacing)"
        else:
            continue
        yield DatasetFinding(line, f"row is also in {training_name} (line {other}){how}",
                             related=(Related(other, "the training copy", training_name),))


# --- single-system-prompt --------------------------------------------------------------------

def _system_prompt(row: Row, options: Mapping[str, Any]) -> int | None:
    found = _facts(row)
    return found.system if found is not None else None


def _system_fingerprint(dicts: list[tuple[int, dict]]) -> int:
    # `==`, not a set lookup: a role may be anything, even an (unhashable) object.
    if dicts and _is_system(dicts[0][1].get("role")):  # where it nearly always is
        return system_fingerprint(dicts[0][1])
    for _, message in dicts:
        if _is_system(message.get("role")):
            return system_fingerprint(message)
    return 0  # no system prompt: breaks the "one persona" pattern


def _is_system(role: Any) -> bool:
    return role == "system" or role == "developer"


@dataset_rule("TLD007", "single-system-prompt", INFO, collect=_system_prompt, options=(
    Option("min-rows", int, 20, "only judge files with at least this many rows"),
))
def single_system_prompt(facts: FactColumn, options: Mapping[str, Any]) -> Iterator[DatasetFinding]:
    """Every row shares one system prompt.

    ## Why is this bad?
    The model learns to behave well only under that exact prompt: a reworded system
    prompt in production falls outside what it was trained on, and the prompt's tokens
    are billed on every example.

    ## Example
    1,000 rows, each starting with "You are Trip, a travel assistant."

    ## Use instead
    Vary the system prompt across examples (paraphrases, the variants you deploy), or
    leave it out of some rows so behaviour does not hinge on it.
    """
    if len(facts) < options["min-rows"]:
        return
    prompts = set(facts.values)
    if len(prompts) == 1 and 0 not in prompts:
        yield DatasetFinding(facts[0][0], f"all {len(facts):,} rows share one system prompt", pointer="/messages/0/content")
