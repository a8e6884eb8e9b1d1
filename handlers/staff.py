"""Station staff (and admins): assign an issue nobody took, 督办 supervision."""

from __future__ import annotations

from telegram import Update

from bot.actor import Actor
from bot.texts import plain
from handlers.common import ack, drop_buttons
from handlers.issues import IssueGlue


class Staff(IssueGlue):
    async def assign(
        self, update: Update, actor: Actor, issue_id: int, args: tuple[int, ...]
    ) -> None:
        ctx = await self.services.workflow.assign(actor, issue_id, args[0])
        name = ctx.owner.name if ctx.owner else ""
        await ack(
            update.callback_query, plain(actor.lang, "staff.assigned", number=issue_id, name=name)
        )
        await drop_buttons(update.callback_query)
        await self.say(update, actor.lang, "staff.assigned", number=issue_id, name=name)

    async def supervise(
        self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]
    ) -> None:
        await self.services.workflow.supervise(actor, issue_id)
        await ack(update.callback_query, plain(actor.lang, "staff.supervised", number=issue_id))
        await self.say(update, actor.lang, "staff.supervised", number=issue_id)
