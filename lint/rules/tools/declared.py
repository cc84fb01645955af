"""The functions a row declares: its `tools` (or legacy `functions`), analysed once per row."""

from __future__ import annotations

from ...survey import Call
from ...analysis import UNSET
from ...source import Row
from ...toolset import ToolSet, analyse


def declared(row: Row, legacy: bool) -> ToolSet | None:
    """The row's analysed `tools` (or `functions`), or None when it declares none."""
    analysis = row.analysis
    found = analysis.functions if legacy else analysis.tools
    if found is UNSET:
        value = row.obj.get("functions" if legacy else "tools")
        found = None if value is None else analyse(value, legacy)
        if legacy:
            analysis.functions = found
        else:
            analysis.tools = found
    return found


def toolset_for(row: Row, call: Call) -> ToolSet | None:
    return declared(row, legacy=call.index is None)
