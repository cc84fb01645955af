"""Every rule module; importing this package registers them all."""

from . import content, framing, structure, tools  # noqa: F401
