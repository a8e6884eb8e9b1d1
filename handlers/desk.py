"""Telegram ⇄ the desk (bot/conversation/desk.py): deputies', staff's and admins' commands
and the buttons of issue cards, overdue lists and patrol checklists."""

from __future__ import annotations

from telegram import Update

from bot.services import Services
from handlers.common import Context, Glue
from handlers.conversation import Conversation


class DeskGlue(Glue):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.desk = services.desk
        self.conversation = Conversation(services)

    async def press(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        replies = await self.desk.press(actor, query.data or "", update.update_id)
        await self.conversation.render(update, actor, replies)

    async def tasks(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.desk.tasks(actor))

    async def hotspots(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.desk.hotspots(actor))

    async def suggestions(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.desk.suggestions(actor))

    async def overdue(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.desk.overdue(actor))

    async def patrol(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, await self.desk.patrol(actor))

    async def channel(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.conversation.render(update, actor, self.desk.channel(actor))
