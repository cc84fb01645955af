"""TLS: structure. Does the row have the shape of a chat training example?"""

# Importing a rule module registers its rule.
from . import (  # noqa: F401
    tls001_missing_messages,
    tls002_unknown_row_key,
    tls003_unknown_message_key,
    tls004_invalid_role,
    tls005_invalid_content_type,
    tls006_missing_assistant_message,
    tls007_invalid_weight,
    tls008_unexpected_row_kind,
    tls009_consecutive_assistant_turns,
    tls010_turns_after_last_answer,
    tls011_multiple_system_messages,
    tls012_missing_user_message,
    tls013_developer_role,
    tls014_role_not_on_target,
    tls015_roles_not_alternating,
    tls016_role_order_not_on_target,
)
