"""Every rule module; importing this package registers them all."""

from . import content, dataset, framing, preference, structure, tokens, tools  # noqa: F401
