"""Programs outside Python that some tests drive (Neovim, Chromium, code-server).

On a user's machine without one, its tests skip with a message saying how to install it;
under CI (`CI=true`) a missing one fails the test instead, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(program: str, how_to_install: str, *candidates: str) -> str:
    """The path of `program` (or the first of `candidates` found on PATH or as a path);
    skips the calling test when none is there, or fails it under CI."""
    for name in (program, *candidates):
        found = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
        if found:
            return found
    message = f"{program} is needed for this test and is not installed: {how_to_install}"
    if under_ci():
        pytest.fail(f"{message} (CI=true: a missing program fails instead of skipping)", pytrace=False)
    pytest.skip(message)
