"""Mail, one module per direction: ``templates`` (templates with merge fields), ``outgoing`` (sending
from a record through SMTP, logged as an activity) and ``incoming`` (logging mail received at a
user's BCC address; unknown senders go to a review queue). Import from here or from the module."""

from __future__ import annotations

from baton.activities.mail.incoming import (
    MAX_INBOUND_ATTACHMENTS,
    InboundError,
    log_inbound_email,
    logging_address,
    resolve_review,
    review_queue,
)
from baton.activities.mail.outgoing import (
    REQUEUE_AFTER,
    STALE_SEND,
    claim_email,
    deliver_queued,
    send_email,
    send_record_email,
    stale_queued_ids,
)
from baton.activities.mail.templates import (
    MERGE_FIELDS,
    default_recipient,
    merge_values,
    render_template,
    save_template,
    templates_for,
)

__all__ = [
    "MAX_INBOUND_ATTACHMENTS",
    "MERGE_FIELDS",
    "REQUEUE_AFTER",
    "STALE_SEND",
    "InboundError",
    "claim_email",
    "default_recipient",
    "deliver_queued",
    "log_inbound_email",
    "logging_address",
    "merge_values",
    "render_template",
    "resolve_review",
    "review_queue",
    "save_template",
    "send_email",
    "send_record_email",
    "stale_queued_ids",
    "templates_for",
]
