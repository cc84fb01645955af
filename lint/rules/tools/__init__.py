"""TLT: tools and function calling. Do the calls match what the row declares?"""

# Importing a rule module registers its rule.
from . import (  # noqa: F401
    tlt001_missing_tools_array,
    tlt002_legacy_function_format,
    tlt003_mixed_function_formats,
    tlt004_undefined_tool,
    tlt005_invalid_arguments_json,
    tlt006_arguments_schema_mismatch,
    tlt007_invalid_tool_definition,
    tlt008_strict_schema_violation,
    tlt009_parallel_calls_with_strict_tools,
    tlt010_parallel_calls_disabled,
    tlt011_orphan_tool_message,
    tlt012_unanswered_tool_call,
    tlt013_duplicate_tool_call_id,
    tlt014_malformed_tool_call,
    tlt015_tools_format,
    tlt016_tool_without_description,
    tlt017_tool_call_id_form,
    tlt018_content_beside_tool_calls,
    tlt019_extra_tool_result,
)
