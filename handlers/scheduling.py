"""/overdue (督办 list) and 走街串巷 patrols: /patrol, the checklist buttons, problem notes."""

from __future__ import annotations

from telegram import Update

from bot.actor import Actor
from bot.callbacks import IssuePress, OverduePage, PatrolPress
from bot.errors import DomainError, NotAllowed
from bot.messages import Button, Outgoing
from bot.services.deadlines import OVERDUE_PAGE
from bot.texts import Markup, plain, t
from bot.views.scheduler import item_choice, overdue_lines
from handlers.common import Context, Glue, ack, drop_buttons, stale_button


class Scheduling(Glue):
    # -- /overdue ------------------------------------------------------------------------
    async def overdue(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        try:
            await self._overdue_page(update, actor, 0)
        except NotAllowed:
            await self.not_allowed(update, actor, "overdue.not_allowed")

    async def overdue_more(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        press = OverduePage.unpack(query.data)
        try:
            if press is None:
                raise stale_button()
            await self._overdue_page(update, actor, press.offset)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query)
        await drop_buttons(query)

    async def _overdue_page(self, update: Update, actor: Actor, offset: int) -> None:
        lang = actor.lang
        items, total = await self.services.deadlines.overdue(actor, offset)
        if not items:
            await self.say(update, lang, "overdue.none")
            return
        head = t(lang, "overdue.head", total=total, first=offset + 1, last=offset + len(items))
        body = overdue_lines(lang, items, self.services.settings.zone)
        buttons = [
            Button(
                text=plain(lang, "btn.supervise_number", number=o.issue.id),
                data=IssuePress(verb="sup", issue=o.issue.id).pack(),
            )
            for o in items
        ]
        rows: list[tuple[Button, ...]] = [
            tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)
        ]
        if offset + len(items) < total:
            rows.append(
                (
                    Button(
                        text=plain(lang, "btn.more"),
                        data=OverduePage(offset=offset + OVERDUE_PAGE).pack(),
                    ),
                )
            )
        await self.show(update, Outgoing(text=Markup(f"{head}\n\n{body}"), buttons=tuple(rows)))

    # -- /patrol -------------------------------------------------------------------------
    async def patrol(self, update: Update, context: Context) -> None:
        """/patrol: staff start their station's patrol now (a choice when there are several)."""
        actor = await self.actor(update, context)
        lang = actor.lang
        try:
            patrols = await self.services.patrols.startable(actor)
        except NotAllowed:
            await self.not_allowed(update, actor, "patrol.not_allowed")
            return
        if not patrols:
            await self.say(update, lang, "patrol.none")
            return
        if len(patrols) == 1:
            await self._start(update, actor, patrols[0].id)
            return
        rows = tuple(
            (Button(text=p.name(lang), data=PatrolPress(verb="start", id=p.id).pack()),)
            for p in patrols
        )
        await self.show(update, Outgoing(text=t(lang, "patrol.choose"), buttons=rows))

    async def patrol_start(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        press = PatrolPress.unpack(query.data)
        if press is None or press.verb != "start":
            await self.refuse(update, actor.lang, stale_button())
            return
        if await self._start(update, actor, press.id):
            await ack(query)
            await drop_buttons(query)

    async def _start(self, update: Update, actor: Actor, patrol_id: int) -> bool:
        try:
            patrol, count = await self.services.patrols.start_now(actor, patrol_id)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return False
        if count:  # with no reachable deputy the staff got a notice saying so
            await self.say(
                update, actor.lang, "patrol.started", count=count, name=patrol.name(actor.lang)
            )
        return True

    # -- the deputy's checklist ----------------------------------------------------------
    async def patrol_press(self, update: Update, context: Context) -> None:
        """pat:item|ok|bad:<run>:<item>, pat:done:<run> — the run's deputy only (re-checked)."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        lang = actor.lang
        press = PatrolPress.unpack(query.data)
        patrols = self.services.patrols
        try:
            if press is None:
                raise stale_button()
            run, item = press.id, press.item
            if press.verb == "item" and item is not None:
                view = await patrols.choose(actor, run, item)
                await ack(query)
                await self.show(update, item_choice(lang, view, item))
            elif press.verb == "ok" and item is not None:
                view = await patrols.mark_ok(actor, run, item)
                text = t(lang, "patrol.item_ok", item=view.item(item, lang))
                await ack(query, plain(lang, "patrol.item_ok", item=view.item(item, lang)))
                if query.message is not None:
                    await query.edit_message_text(text)
            elif press.verb == "bad" and item is not None:
                view = await patrols.ask_problem(actor, run, item)
                await ack(query)
                await drop_buttons(query)
                await self.say(update, lang, "patrol.ask_note", item=view.item(item, lang))
            elif press.verb == "done":
                view = await patrols.finish(actor, run)
                await ack(
                    query,
                    plain(
                        lang,
                        "patrol.done_ack",
                        checked=view.checked,
                        total=len(view.patrol.items),
                        problems=len(view.problems),
                    ),
                )
            else:  # pat:start goes to patrol_start
                raise stale_button()
        except DomainError as exc:
            await self.refuse(update, lang, exc)
