"""What happens when a handler fails: one log line, never the user's text.

Transient Bot API failures (network, 5xx, timeouts, flood control) that survived the
retries in handlers/retry.py are logged as one warning line without a stack trace; anything
else is a bug and is logged with its traceback. Only the update id is logged: updates carry
what people typed, and logs must not.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import ContextTypes

from handlers.common import expected_refusal

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if error is not None and expected_refusal(error):
        log.debug("update %s: Bot API refused as expected: %s", update_id, error)
        return
    if isinstance(error, Forbidden | RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    ):
        log.warning("update %s: Bot API call failed: %s", update_id, error)
        return
    log.error("update %s: handler failed", update_id, exc_info=error)
