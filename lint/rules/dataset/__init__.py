"""TLD: dataset. What only shows across rows: duplicates, contradictions, drift, balance.

Every rule here keeps a small fact per row (64-bit fingerprints, short names) and looks
at the whole file only through them; no parsed row outlives its line. `duplicate-row` and
`contradictory-answers` keep a screening key and work out exact fingerprints only for
the rows whose key repeats (see `screening`).
"""

# Importing a rule module registers its rule.
from . import (  # noqa: F401
    tld001_duplicate_row,
    tld002_near_duplicate_row,
    tld003_contradictory_answers,
    tld004_inconsistent_tools,
    tld005_too_few_examples,
    tld006_tool_imbalance,
    tld007_single_system_prompt,
    tld008_train_validation_overlap,
    tld009_dataset_in_another_format,
    tld010_row_weight_on_some_rows,
    tld011_file_over_size_limit,
    tld012_kind_not_on_target,
    tld013_few_system_prompts,
    tld014_general_example_share,
    tld015_too_few_examples_for_tools,
    tld016_undertrained_tool,
    tld017_rft_without_validation_file,
)
