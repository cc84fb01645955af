"""TLJ: framing. Is each line one JSON object, readable by the platform's parser?"""

# Importing a rule module registers its rule.
from . import (  # noqa: F401
    tlj001_invalid_json,
    tlj002_row_not_object,
    tlj003_blank_line,
    tlj004_byte_order_mark,
    tlj005_invalid_utf8,
    tlj006_empty_file,
)
