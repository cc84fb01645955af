from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...model import ALWAYS, ERROR, Applicability, Finding, Fix
from ...registry import row_rule
from ...source import Row


@row_rule("TLJ004", "byte-order-mark", ERROR, ALWAYS, sees="line", context=("target",))
def byte_order_mark(row: Row, options: Mapping[str, Any]) -> Iterator[Finding]:
    """The file starts with a UTF-8 byte-order mark (BOM), on a target that refuses one.

    The target decides (its `bom` fact): OpenAI's parser refuses a BOM (JSON forbids it);
    Azure's data-preparation page asks for UTF-8 *with* a BOM and Microsoft's own validator
    reads both, so on `--target azure` a BOM is not reported.

    ## Why is this bad?
    JSON forbids a byte-order mark. Spreadsheet exports and some Windows editors add one;
    strict parsers, the upload's among them, then reject the first row.

    ## Example
    A file whose first three bytes are `EF BB BF`, before `{"messages": ...}`.

    ## Use instead
    The same file without those three bytes. The fix removes them (safe).
    """
    target = options.get("target")
    if row.bom and (target is None or target.fact("bom", "error") == "error"):
        # The row's own bytes (which exclude the mark), so even an undecodable row keeps them.
        yield Finding("", "file starts with a UTF-8 byte-order mark", span=(0, 0),
                      fix=Fix("Remove the byte-order mark", Applicability.SAFE, (row.raw,)))
