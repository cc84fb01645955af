"""TLK: tokens and cost. Does each example fit the model it is for?"""

# Importing a rule module registers its rule.
from . import (  # noqa: F401
    tlk001_row_over_token_limit,
)
