"""TLP: preference (DPO) and reinforcement (RFT) rows.

A file's kind is detected from its rows (or set with `--kind` / `kind` in config). The
chat rules also run inside these rows: on each conversation of a DPO pair (input plus
one output), and on an RFT row's messages.
"""

# Importing a rule module registers its rule.
from . import (  # noqa: F401
    tlp001_invalid_preference_pair,
    tlp002_identical_preference_pair,
    tlp003_inverted_preference,
    tlp004_invalid_rft_row,
    tlp005_chosen_rejected_layout,
    tlp006_rft_last_turn_role,
)
