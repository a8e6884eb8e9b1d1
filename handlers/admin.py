"""Admin /invite links, redeeming them from /start, and binding by a shared phone number."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot.actor import Actor
from bot.callbacks import InvitePress, PhoneAsk
from bot.errors import DomainError, stale_button
from bot.messages import Button, Outgoing
from bot.services.invites import INVITE_TTL, ROLES, Rebind
from bot.texts import plain, t
from handlers.common import Context, Glue, ack, forget_actor
from handlers.identity import rebind_question
from handlers.render import contact_request, inline, resident_menu


def _rows(buttons: list[Button], per_row: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


class Admin(Glue):
    # -- /invite --------------------------------------------------------------------------
    async def invite(self, update: Update, context: Context) -> None:
        actor = await self.actor(update, context)
        if not actor.admin:
            await self.not_allowed(update, actor)
            return
        districts = [
            Button(text=name, data=InvitePress(verb="dist", station=anchor).pack())
            for name, anchor, _count in await self.services.people.districts()
        ]
        await self.show(
            update,
            Outgoing(text=t(actor.lang, "inv.choose_district"), buttons=_rows(districts, 3)),
        )

    async def invite_step(self, update: Update, context: Context) -> None:
        """inv:dist:<anchor> → stations, inv:st:<station> → roles, inv:role:<station>:<role>
        → people, inv:who:<station>:<role>:<person> → the link. Admins only, every step."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        lang = actor.lang
        press = InvitePress.unpack(query.data)
        try:
            if not actor.admin:
                raise DomainError("admins only", key="error.not_allowed")
            if press is None:
                raise stale_button()
            text, buttons = await self._step(actor, press, context)
        except DomainError as exc:
            await self.refuse(update, lang, exc)
            return
        await ack(query)
        await query.edit_message_text(text, reply_markup=inline(buttons))

    async def _step(
        self, actor: Actor, press: InvitePress, context: Context
    ) -> tuple[str, tuple[tuple[Button, ...], ...]]:
        lang = actor.lang
        if press.verb == "dist":
            stations = await self.services.people.stations_in_district_of(press.station)
            buttons = [
                Button(text=s.name, data=InvitePress(verb="st", station=s.id).pack())
                for s in stations
            ]
            return t(lang, "inv.choose_station"), _rows(buttons, 1)
        station = await self.services.people.station(press.station)
        if station is None:
            raise DomainError("no station", key="error.not_found")
        if press.verb == "st":
            roles = [
                Button(
                    text=plain(lang, f"inv.role_{role}"),
                    data=InvitePress(verb="role", station=station.id, role=i).pack(),
                )
                for i, role in enumerate(ROLES)
            ]
            return t(lang, "inv.choose_role", station=station.name), _rows(roles, 2)
        if press.role is None or press.role >= len(ROLES):
            raise stale_button()
        role = ROLES[press.role]
        if press.verb == "role":
            people = await self.services.invites.candidates(actor, station.id, role)
            if not people:
                return t(lang, "inv.nobody"), ()
            buttons = [
                Button(
                    text=("✓ " if p.telegram_id is not None else "") + p.name,
                    data=InvitePress(
                        verb="who", station=station.id, role=press.role, person=p.id
                    ).pack(),
                )
                for p in people[:90]
            ]
            return t(lang, "inv.choose_person", station=station.name), _rows(buttons, 2)
        if press.verb == "who" and press.person is not None:
            token = await self.services.invites.create(actor, station.id, role, press.person)
            person = next(
                (
                    p
                    for p in await self.services.invites.candidates(actor, station.id, role)
                    if p.id == press.person
                ),
                None,
            )
            link = f"https://t.me/{context.bot.username}?start=inv_{token}"
            name = person.name if person else ""
            days = INVITE_TTL // 86400
            code = f"inv_{token}"
            return t(lang, "inv.link", days=days, name=name, link=link, code=code), ()
        raise stale_button()

    async def redeem(self, update: Update, context: Context, token: str) -> None:
        """/start inv_<token>: bind this Telegram account (called from Everyone.start)."""
        actor = await self.actor(update, context)
        user = update.effective_user
        assert user is not None
        try:
            bound = await self.services.invites.redeem(user.id, token)
        except Rebind as rebind:  # the account stands for another seeded person: ask first
            await self.show(update, rebind_question(actor.lang, rebind, token))
            return
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return
        forget_actor(context)  # this update now comes from the seeded person
        actor = await self.actor(update, context)
        await self.say(
            update,
            actor.lang,
            "inv.bound",
            station=bound.place,
            role=plain(actor.lang, f"inv.role_{bound.role}"),
            name=bound.person.name,
        )

    # -- phone binding --------------------------------------------------------------------
    async def offer_phone(self, update: Update, actor: Actor) -> None:
        """For people without a role: 我是代表/工作人员 leads to the contact request."""
        await self.show(
            update,
            Outgoing(
                text=t(actor.lang, "phone.offer"),
                buttons=(
                    (Button(text=plain(actor.lang, "phone.btn_offer"), data=PhoneAsk().pack()),),
                ),
            ),
        )

    async def phone_ask(self, update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update, context)
        if PhoneAsk.unpack(query.data) is None:
            await self.refuse(update, actor.lang, stale_button())
            return
        await ack(query)
        keyboard = contact_request(actor.lang, "phone.btn_share")
        await self.say(update, actor.lang, "phone.ask", reply_markup=keyboard)

    async def contact(self, update: Update, context: Context) -> None:
        """A shared contact outside a report: binds only the sender's own number to a
        seeded person (a contact shared on a report's summary goes with the report)."""
        message = update.effective_message
        user = update.effective_user
        assert message is not None and message.contact is not None and user is not None
        actor = await self.actor(update, context)
        contact = message.contact
        try:
            bound = await self.services.invites.bind_phone(
                user.id, contact.user_id, contact.phone_number
            )
        except DomainError as exc:
            chat = update.effective_chat
            assert chat is not None
            await chat.send_message(
                t(actor.lang, exc.key, **exc.params),
                reply_markup=resident_menu(actor.lang) if actor.is_resident_only else None,
            )
            return
        forget_actor(context)
        actor = await self.actor(update, context)
        chat = update.effective_chat
        assert chat is not None
        await chat.send_message(
            t(actor.lang, "phone.bound", name=bound.person.name),
            reply_markup=ReplyKeyboardRemove(),
        )
