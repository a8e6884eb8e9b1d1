"""/stats (figures and a chart) and /export (CSV or XLSX) for staff and admins."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update

from bot.actor import Actor
from bot.callbacks import ExportPress, StatsPeriod
from bot.charts import stats_chart
from bot.errors import DomainError, stale_button
from bot.messages import Button, Outgoing
from bot.services.stats import PERIODS, report_lines
from bot.texts import plain, t
from handlers.common import Context, Glue, ack

MAX_CHARS = 3800  # one Telegram message holds 4096


def chunks(lines: list[str], limit: int = MAX_CHARS) -> list[str]:
    """Join lines into messages below Telegram's length limit (never cutting a line)."""
    out: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            out.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


class ReportsAdmin(Glue):
    async def _scope(self, update: Update, actor: Actor) -> tuple[bool, list[int] | None]:
        try:
            return True, self.services.stats.scope_of(actor)
        except DomainError:
            await self.not_allowed(update, actor)
            return False, None

    # -- /stats ---------------------------------------------------------------------------
    async def stats(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        ok, scope = await self._scope(update, actor)
        if ok:
            await self._send_stats(update, actor, scope, "month")

    async def stats_period(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        press = StatsPeriod.unpack(query.data)
        try:
            scope = self.services.stats.scope_of(actor)
            if press is None or press.period >= len(PERIODS):
                raise stale_button()
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query)
        await self._send_stats(update, actor, scope, PERIODS[press.period])

    async def _send_stats(
        self, update: Update, actor: Actor, scope: list[int] | None, name: str
    ) -> None:
        lang = actor.lang
        zone = self.services.settings.zone
        span = self.services.stats.period(name)
        figures = await self.services.stats.figures(scope, span.since, span.until)
        chat = update.effective_chat
        assert chat is not None
        await chat.send_action("upload_photo")
        png = await asyncio.to_thread(stats_chart, figures, lang, zone)
        await chat.send_photo(InputFile(png, filename="stats.png"))
        parts = chunks(report_lines(figures, lang, zone, t))
        buttons = (
            tuple(
                Button(text=plain(lang, f"stats.period_{p}"), data=StatsPeriod(period=i).pack())
                for i, p in enumerate(PERIODS)
            ),
        )
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            await self.show(update, Outgoing(text=part, buttons=buttons if last else ()))

    # -- /export --------------------------------------------------------------------------
    async def export(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        ok, scope = await self._scope(update, actor)
        if not ok:
            return
        name = await self._names(actor, scope)
        await self.show(
            update,
            Outgoing(
                text=t(actor.lang, "export.choose", scope=name),
                buttons=(
                    (
                        Button(text="CSV", data=ExportPress(fmt="csv").pack()),
                        Button(text="Excel (XLSX)", data=ExportPress(fmt="xlsx").pack()),
                    ),
                ),
            ),
        )

    async def _names(self, actor: Actor, scope: list[int] | None) -> str:
        if scope is None:
            return plain(actor.lang, "stats.scope_city")
        names = []
        for station_id in scope:
            station = await self.services.people.station(station_id)
            if station is not None:
                names.append(station.name)
        return "、".join(names)

    async def export_chosen(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        press = ExportPress.unpack(query.data)
        try:
            scope = self.services.stats.scope_of(actor)
            if press is None:
                raise stale_button()
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        await ack(query)
        filename, data, count = await self.services.exports.build(press.fmt, scope, lang=actor.lang)
        chat = update.effective_chat
        assert chat is not None
        await chat.send_document(
            InputFile(data, filename=filename),
            caption=t(
                actor.lang, "export.done", count=count, scope=await self._names(actor, scope)
            ),
        )
