"""确认 / 取消 under "您当前登记为 A。确认改为 B 吗？": an account that stands for one seeded
person opened an invite for another (bot/services/invites.py). Only 确认 moves it, and only
while everything the question said still holds (checked again by the service)."""

from __future__ import annotations

from telegram import BotCommandScopeChat, Update

from bot.callbacks import IdentityPress
from bot.errors import DomainError, stale_button
from bot.messages import Button, Outgoing
from bot.models import Lang
from bot.services.invites import Rebind
from bot.texts import plain, t
from handlers.common import Context, Glue, ack, forget_actor, quietly


def rebind_question(lang: Lang, rebind: Rebind, token: str) -> Outgoing:
    """The question naming both people, with 确认 (bound to the person named as current
    and to the invite) and 取消."""
    switch = rebind.switch
    confirm = IdentityPress(verb="ok", person=switch.current.person.id, token=token)
    buttons = (
        Button(text=plain(lang, "identity.btn_confirm"), data=confirm.pack()),
        Button(text=plain(lang, "identity.btn_cancel"), data=IdentityPress(verb="no").pack()),
    )
    text = t(
        lang,
        "identity.confirm",
        current=switch.current.describe(lang),
        wanted=switch.wanted.describe(lang),
    )
    return Outgoing(text=text, buttons=(buttons,))


class Identity(Glue):
    async def press(self, update: Update, context: Context) -> None:
        query = update.callback_query
        user = update.effective_user
        assert query is not None and user is not None
        actor = await self.actor(update, context)
        press = IdentityPress.unpack(query.data)
        if press is None:
            await self.refuse(update, actor.lang, stale_button())
            return
        if press.verb == "no" or press.person is None or press.token is None:
            await ack(query)
            await quietly(query.edit_message_text(t(actor.lang, "identity.cancelled")))
            return
        try:
            done = await self.services.invites.confirm(user.id, press.token, press.person)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        forget_actor(context)  # this account now stands for the invite's person
        actor = await self.actor(update, context)
        lang = actor.lang
        await ack(query)
        text = t(
            lang,
            "identity.switched",
            wanted=done.wanted.describe(lang),
            current=done.current.describe(lang),
        )
        await quietly(query.edit_message_text(text))
        if not actor.is_resident_only and update.effective_chat is not None:
            from handlers.everyone import bot_commands, commands_for

            await context.bot.set_my_commands(
                bot_commands(commands_for(actor), lang),
                scope=BotCommandScopeChat(update.effective_chat.id),
            )
