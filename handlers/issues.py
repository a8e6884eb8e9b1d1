"""Shared pieces for issue buttons: parse `iss:<verb>:<id>[:<arg>]` and refuse politely."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update

from bot.actor import Actor
from bot.callbacks import IssuePress
from bot.errors import DomainError, stale_button
from handlers.common import Context, Glue

Action = Callable[[Update, Actor, int, tuple[int, ...]], Awaitable[None]]


class IssueGlue(Glue):
    def pressed(
        self, action: Action, arity: int = 1
    ) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
        """Wrap a button action: identify the presser, parse the data, refuse DomainErrors."""

        async def handler(update: Update, context: Context) -> None:
            query = update.callback_query
            assert query is not None
            actor = await self.actor(update, context)
            try:
                press = IssuePress.unpack(query.data)
                if press is None or (press.arg is not None) != (arity == 2):
                    raise stale_button()
                extra = () if press.arg is None else (press.arg,)
                await action(update, actor, press.issue, extra)
            except DomainError as exc:
                await self.refuse(update, actor.lang, exc)

        return handler
