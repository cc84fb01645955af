"""TLC: content. Is there something to learn in each turn?"""

# Importing a rule module registers its rule.
from . import (  # noqa: F401
    tlc001_empty_content,
    tlc002_image_not_on_target,
)
