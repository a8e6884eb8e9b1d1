"""Residents after filing: /my and the timeline, follow-ups, answers, withdrawal, rating."""

from __future__ import annotations

from telegram import Update

from bot import views
from bot.actor import Actor
from bot.callbacks import IssuePress, MyPage
from bot.errors import DomainError, stale_button
from bot.messages import Button, Outgoing
from bot.models import OPEN_STATES, Awaiting, Rating, Role
from bot.services import Services
from bot.texts import plain, t
from handlers.common import Context, ack, drop_buttons
from handlers.conversation import Conversation
from handlers.issues import IssueGlue

PAGE = 10


class Resident(IssueGlue):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.conversation = Conversation(services)

    async def my(self, update: Update, context: Context) -> None:
        """/my: the resident's issues, newest first; each opens its timeline."""
        actor = await self.actor(update, context)
        await self._my_page(update, actor, 0)

    async def my_more(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        press = MyPage.unpack(query.data)
        if press is None:
            await self.refuse(update, actor.lang, stale_button())
            return
        await ack(query)
        await self._my_page(update, actor, press.offset)

    async def _my_page(self, update: Update, actor: Actor, offset: int) -> None:
        lang = actor.lang
        items, total = await self.services.workflow.my_issues(actor, PAGE, offset)
        if not items:
            await self.say(update, lang, "my.none")
            return
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    text=views.resident_issue_line(lang, ctx.issue, ctx.category),
                    data=IssuePress(verb="view", issue=ctx.issue.id).pack(),
                ),
            )
            for ctx in items
        ]
        if offset + PAGE < total:
            rows.append(
                (Button(text=plain(lang, "btn.more"), data=MyPage(offset=offset + PAGE).pack()),)
            )
        await self.show(update, Outgoing(text=t(lang, "my.head", total=total), buttons=tuple(rows)))

    async def view(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        """The timeline of one issue; its resident may add a message or withdraw while open."""
        ctx, events = await self.services.workflow.timeline(actor, issue_id)
        lang = actor.lang
        zone = self.services.settings.zone
        text = views.timeline(lang, ctx.issue, events, zone)
        rows: tuple[tuple[Button, ...], ...] = ()
        if Role.RESIDENT in actor.roles_for(ctx.issue) and ctx.issue.state in OPEN_STATES:
            rows = (
                (
                    views.button(
                        lang, "btn.follow_up", IssuePress(verb="fu", issue=issue_id).pack()
                    ),
                    views.button(
                        lang, "btn.withdraw", IssuePress(verb="wd", issue=issue_id).pack()
                    ),
                ),
            )
        await ack(update.callback_query)
        await self.show(update, Outgoing(text=text, buttons=rows))

    async def follow_up(
        self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]
    ) -> None:
        await self.conversation.ask(update, actor, Awaiting.FOLLOW_UP, issue_id)

    async def answer(self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]) -> None:
        await self.conversation.ask(update, actor, Awaiting.ANSWER, issue_id)

    async def withdraw(
        self, update: Update, actor: Actor, issue_id: int, _: tuple[int, ...]
    ) -> None:
        await self.services.workflow.withdraw(actor, issue_id)
        await ack(update.callback_query)
        await drop_buttons(update.callback_query)
        await self.say(update, actor.lang, "resident.withdrawn", number=issue_id)

    async def rate(
        self, update: Update, actor: Actor, issue_id: int, args: tuple[int, ...]
    ) -> None:
        rating = views.RATING_CODES.get(args[0])
        if rating is None:
            raise DomainError("bad rating", key="error.stale_button")
        await self.services.workflow.rate(actor, issue_id, rating)
        await drop_buttons(update.callback_query)
        if rating is Rating.UNSATISFIED:  # the reason is asked for (this answers the press)
            await self.conversation.ask(update, actor, Awaiting.UNSATISFIED, issue_id)
        else:
            await ack(update.callback_query)
            await self.say(update, actor.lang, "resident.closed", number=issue_id)
