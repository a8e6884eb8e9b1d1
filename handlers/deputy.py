"""Deputies: 认领 / 退回 / 不予受理 on new issues; 答复 / 转办 / 询问 on their own; /tasks."""

from __future__ import annotations

from telegram import Update

from bot import views
from bot.actor import Actor
from bot.errors import NotFound
from bot.lifecycle import Action
from bot.messages import Outgoing
from bot.texts import plain, t
from handlers.common import ack
from handlers.issues import Context, IssueGlue

TASKS_SHOWN = 10


class Deputy(IssueGlue):
    async def accept(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        ctx = await self.services.workflow.accept(actor, issue_id)
        await ack(update.callback_query, plain(actor.lang, "deputy.accepted_ack", number=issue_id))
        await self.card(update, actor, ctx)

    async def decline(
        self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]
    ) -> None:
        await self.services.workflow.ask_for(actor, "decline", issue_id)
        await ack(update.callback_query)
        await self.prompt(update, actor, "deputy.ask_decline_reason", number=issue_id)

    async def reject(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        await self.services.workflow.ask_for(actor, "reject", issue_id)
        await ack(update.callback_query)
        await self.prompt(update, actor, "deputy.ask_reject_reason", number=issue_id)

    async def reply(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        await self.services.workflow.ask_for(actor, "reply", issue_id)
        await ack(update.callback_query)
        await self.prompt(update, actor, "deputy.ask_reply", number=issue_id)

    async def ask(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        await self.services.workflow.ask_for(actor, "ask", issue_id)
        await ack(update.callback_query)
        await self.prompt(update, actor, "deputy.ask_question", number=issue_id)

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
        department_id = args[0]
        departments = {d.id: d for d in await self.services.workflow.departments()}
        if department_id not in departments:
            raise NotFound("no such department")
        await self.services.workflow.ask_for(actor, "transfer", issue_id, department=department_id)
        await ack(update.callback_query)
        query = update.callback_query
        if query is not None:
            await query.edit_message_reply_markup(None)
        await self.prompt(
            update,
            actor,
            "deputy.ask_transfer_note",
            skippable=True,
            department=departments[department_id].name(actor.lang),
        )

    async def tasks(self, update: Update, context: Context) -> None:
        """/tasks: the deputy's open issues, soonest deadline first, each with its buttons."""
        actor = await self.actor(update)
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
