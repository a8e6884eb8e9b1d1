"""python-telegram-bot's ExtBot, minus re-reading what the bot itself just sent.

Telegram answers a sendMessage or an edit with the whole message echoed back (text,
entities, the keyboard button by button), and PTB turns all of it into objects. The bot
only ever reads the id, chat and date of a message it sent, and building the rest was the
largest single cost per Bot API call under load (docs/PERFORMANCE.md). So the echoed
message is cut down to those fields before PTB parses it: callers still get a real
`telegram.Message`, without its text or keyboard.
"""

from __future__ import annotations

from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.ext import ExtBot

# methods whose result is the message the bot sent or edited
ECHOED = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendLocation",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)
KEPT = ("message_id", "date", "chat")


class LeanBot(ExtBot[Any]):
    async def _post(
        self,
        endpoint: str,
        data: JSONDict | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> Any:
        result = await super()._post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if endpoint in ECHOED and isinstance(result, dict):
            return {key: result[key] for key in KEPT if key in result}
        return result
