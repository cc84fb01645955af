"""Every rule: a package per family, a module per rule. Importing this package registers them all.

A rule's module is named for its code and name (`tools/tlt004_undefined_tool.py`) and holds
the helpers only that rule uses; what several rules of a family share sits in a module of
the family named for what it holds (`tools/declared.py`).
"""

from . import content, dataset, framing, preference, structure, tokens, tools  # noqa: F401
