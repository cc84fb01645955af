"""Every rule module; importing this package registers them all."""

from . import content, dataset, framing, structure, tokens, tools  # noqa: F401
