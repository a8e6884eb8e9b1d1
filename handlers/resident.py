"""Telegram ⇄ the residents' counter (bot/conversation/counter.py): /my, /station,
/reception, a location outside a report, and the buttons residents press after filing."""

from __future__ import annotations

from telegram import Update

from bot.services import Services
from handlers.common import Context, Glue
from handlers.conversation import Conversation


class Resident(Glue):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.counter = services.counter
        self.conversation = Conversation(services)

    async def press(self, update: Update, context: Context) -> None:
        """A resident's button: an issue's (view, 补充说明, 回复, 撤回, rating), the next /my
        page, a district or station chosen."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        replies = await self.counter.press(actor, query.data or "", update.update_id)
        await self.conversation.render(update, actor, replies)

    async def my(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.counter.my(actor))

    async def station(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.counter.station(actor))

    async def reception(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.counter.reception(actor))

    async def location(self, update: Update, context: Context) -> None:
        """A location outside /report: the nearest three stations."""
        message = update.effective_message
        assert message is not None and message.location is not None
        actor = await self.actor(update, context)
        where = message.location
        replies = await self.counter.nearest(actor, where.latitude, where.longitude)
        await self.conversation.render(update, actor, replies)
