"""How findings name the function a call calls."""

from __future__ import annotations

from ...survey import Call


def shown_function(call: Call) -> str:
    return f"`{call.name}`" if type(call.name) is str else "a function"
