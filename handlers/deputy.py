"""Deputies: 认领 / 退回 / 不予受理 on new issues; 答复 / 转办 / 询问 on their own; /tasks."""

from __future__ import annotations

from telegram import Update

from bot import views
from bot.actor import Actor
from bot.lifecycle import Action
from bot.messages import Outgoing
from bot.models import Awaiting
from bot.services import Services
from bot.texts import plain, t
from handlers.common import Context, ack
from handlers.conversation import Conversation
from handlers.issues import IssueGlue

TASKS_SHOWN = 10


class Deputy(IssueGlue):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.conversation = Conversation(services)

    async def accept(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        ctx = await self.services.workflow.accept(actor, issue_id)
        await ack(update.callback_query, plain(actor.lang, "deputy.accepted_ack", number=issue_id))
        await self.card(update, actor, ctx)

    async def decline(
        self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]
    ) -> None:
        await self.conversation.ask(update, actor, Awaiting.DECLINE, issue_id)

    async def reject(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        await self.conversation.ask(update, actor, Awaiting.REJECT, issue_id)

    async def reply(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        await self.conversation.ask(update, actor, Awaiting.REPLY, issue_id)

    async def ask(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        await self.conversation.ask(update, actor, Awaiting.ASK, issue_id)

    async def transfer(
        self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]
    ) -> None:
        """转办: check the right to transfer, then offer the departments."""
        await self.services.workflow.check(actor, issue_id, Action.TRANSFER)
        departments = await self.services.workflow.departments()
        await ack(update.callback_query)
        if not departments:
            await self.say(update, actor.lang, "deputy.no_departments")
            return
        await self.show(
            update,
            Outgoing(
                text=t(actor.lang, "deputy.choose_department", number=issue_id),
                buttons=views.department_buttons(actor.lang, issue_id, departments),
            ),
        )

    async def department(
        self, update: Update, actor: Actor, issue_id: int, args: tuple[int, ...]
    ) -> None:
        """A unit was chosen: the transfer is recorded now; an optional note may follow."""
        replies = await self.services.conversations.transfer(
            actor, issue_id, args[0], update.update_id
        )
        await self.conversation.render(update, actor, replies)

    async def tasks(self, update: Update, context: Context) -> None:
        """/tasks: the deputy's open issues, soonest deadline first, each with its buttons."""
        actor = await self.actor(update, context)
        lang = actor.lang
        if not actor.is_deputy:
            await self.not_allowed(update, actor)
            return
        tasks = await self.services.workflow.tasks(actor)
        zone = self.services.settings.zone
        if not tasks.owned and not tasks.pending:
            await self.say(update, lang, "tasks.none")
            return
        if tasks.owned:
            await self.say(update, lang, "tasks.head", count=len(tasks.owned))
            for ctx in tasks.owned[:TASKS_SHOWN]:
                await self.card(update, actor, ctx)
        if tasks.pending:
            await self.say(update, lang, "tasks.pending_head", count=len(tasks.pending))
            for ctx in tasks.pending[:TASKS_SHOWN]:
                body = views.issue_facts(
                    lang, ctx.issue, ctx.station, ctx.category, zone, resident=ctx.resident
                )
                await self.show(
                    update, Outgoing(text=body, buttons=views.pending_buttons(lang, ctx.issue.id))
                )
