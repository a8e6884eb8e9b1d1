"""Commands for everyone: /start (with deep links), /help, /lang, /cancel, unknown input."""

from __future__ import annotations

from telegram import BotCommand, BotCommandScopeChat, Message, Update

from bot import views
from bot.actor import Actor
from bot.callbacks import LangPress
from bot.conversation.desk import help_keys
from bot.errors import stale_button
from bot.models import Lang
from bot.texts import plain, t
from handlers.common import Context, Glue, ack
from handlers.conversation import Conversation
from handlers.render import resident_menu

RESIDENT_COMMANDS = ["start", "report", "my", "station", "reception", "lang", "help", "cancel"]
DEPUTY_COMMANDS = [
    "start",
    "tasks",
    "report",  # deputies raise problems too (a colleague of the station handles them)
    "my",
    "hotspots",
    "suggestions",
    "reception",
    "channel",
    "lang",
    "help",
    "cancel",
]
STAFF_COMMANDS = [
    "start",
    "overdue",
    "hotspots",
    "patrol",
    "reception",
    "broadcast",
    "stats",
    "export",
    "channel",
    "lang",
    "help",
    "cancel",
]
ADMIN_COMMANDS = [
    "start",
    "overdue",
    "suggestions",
    "hotspots",
    "broadcast",
    "stats",
    "export",
    "invite",
    "channel",
    "lang",
    "help",
    "cancel",
]

LIAISON_COMMANDS = ["start", "tasks", "suggestions", "lang", "help", "cancel"]


def commands_for(actor: Actor) -> list[str]:
    names: list[str] = []
    groups = [RESIDENT_COMMANDS]
    if actor.is_deputy:
        groups.append(DEPUTY_COMMANDS)
    if actor.is_liaison:
        groups.append(LIAISON_COMMANDS)
    if actor.is_staff:
        groups.append(STAFF_COMMANDS)
    if actor.admin:
        groups.append(ADMIN_COMMANDS)
    if not actor.is_resident_only:
        groups = groups[1:]
    for group in groups:
        names += [n for n in group if n not in names]
    return names


def bot_commands(names: list[str], lang: Lang) -> list[BotCommand]:
    return [BotCommand(n, plain(lang, f"cmd.{n}")) for n in names]


class Everyone(Glue):
    async def start(self, update: Update, context: Context) -> None:
        """/start, /start st_<key>: greet by role; residents choose or bind a station."""
        payload = context.args[0] if context.args else ""
        if payload.startswith("inv_"):  # one-time invite link (handlers/admin.py)
            from handlers.admin import Admin

            await Admin(self.services).redeem(update, context, payload[4:])
            payload = ""
        actor = await self.services.people.start(await self.actor(update, context))
        lang = actor.lang
        await self._greet_roles(update, actor)
        if not actor.is_resident_only and update.effective_chat is not None:
            await context.bot.set_my_commands(
                bot_commands(commands_for(actor), lang),
                scope=BotCommandScopeChat(update.effective_chat.id),
            )
        # what a resident is told goes into one message (fewer Bot API calls under load)
        lines: list[str] = []
        if actor.is_resident_only:
            lines.append(t(lang, "welcome.resident", name=actor.person.name))
        station = None
        if payload.startswith("st_"):
            station = await self.services.people.station_by_key(payload[3:])
            if station is None:
                lines.append(t(lang, "start.bad_payload"))
            else:
                await self.services.people.bind_station(actor, station.id)
                lines.append(
                    t(lang, "start.bound", station=station.name, district=station.district)
                )
        elif payload:
            lines.append(t(lang, "start.bad_payload"))
        if station is None and actor.is_resident_only:
            station = await self.services.people.station(actor.person.station_id)
        if station is not None:
            lines.append(t(lang, "welcome.station", station=station.name))
        if lines and update.effective_chat is not None:
            menu = resident_menu(lang) if actor.is_resident_only or station else None
            await update.effective_chat.send_message("\n\n".join(lines), reply_markup=menu)
        if actor.is_resident_only and station is None:
            offer = await self.services.counter.offer(actor)
            await Conversation(self.services).render(update, actor, offer)

    async def _greet_roles(self, update: Update, actor: Actor) -> None:
        lang = actor.lang
        name = actor.person.name
        if actor.deputy_at:
            names = await self._station_names(actor.deputy_at)
            await self.say(update, lang, "welcome.deputy", name=name, stations=names)
        if actor.staff_at:
            names = await self._station_names(actor.staff_at)
            await self.say(update, lang, "welcome.staff", name=name, stations=names)
        if actor.liaison_of:
            departments = await self.services.workflow.departments()
            names = "、".join(d.name(lang) for d in departments if d.id in actor.liaison_of)
            await self.say(update, lang, "welcome.liaison", name=name, departments=names)
        if actor.admin:
            await self.say(update, lang, "welcome.admin", name=name)

    async def _station_names(self, ids: frozenset[int]) -> str:
        names = []
        for station_id in sorted(ids):
            station = await self.services.people.station(station_id)
            if station is not None:
                names.append(station.name)
        return "、".join(names)

    async def help(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        for key in help_keys(actor):
            await self.say(update, actor.lang, key)
        if actor.is_resident_only:  # deputies/staff can bind by phone number
            from handlers.admin import Admin

            await Admin(self.services).offer_phone(update, actor)

    async def lang(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        choice = views.lang_choice(actor.lang)
        await self.show(update, choice)

    async def lang_chosen(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        press = LangPress.unpack(query.data)
        actor = await self.actor(update, context)
        if press is None:
            await self.refuse(update, actor.lang, stale_button())
            return
        lang = press.lang
        actor = await self.services.people.set_lang(actor, lang)
        await ack(query)
        done = plain(lang, "lang.set")
        if isinstance(query.message, Message) and query.message.text == done:
            return  # a double tap: already switched and said so
        await query.edit_message_text(done)
        if actor.is_resident_only:
            await self.say(update, lang, "menu.hint", reply_markup=resident_menu(lang))
        elif update.effective_chat is not None:
            await context.bot.set_my_commands(
                bot_commands(commands_for(actor), lang),
                scope=BotCommandScopeChat(update.effective_chat.id),
            )

    async def unknown_command(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.say(update, actor.lang, "unknown.command")
        await self.help(update, context)

    async def unknown_text(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        await self.say(update, actor.lang, "unknown.text")

    async def stale_button(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(
                plain(actor.lang, "error.stale_button"), show_alert=True
            )

    async def group_message(self, update: Update, context: Context) -> None:
        """The bot works in private chats; in groups it stays quiet except when addressed."""
        message = update.effective_message
        if message is not None and message.text and message.text.startswith("/"):
            lang = (
                Lang.EN
                if (
                    update.effective_user
                    and (update.effective_user.language_code or "").startswith("en")
                )
                else Lang.ZH
            )
            await message.reply_text(plain(lang, "group.private_only"))
