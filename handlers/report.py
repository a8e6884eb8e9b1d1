"""The resident's /report conversation: station → category → description → extras →
summary (with similar issues to 附议) → #number. State persists in SQLite."""

from __future__ import annotations

import contextlib
import warnings

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import views
from bot.actor import Actor
from bot.callbacks import encode
from bot.errors import DomainError, LimitReached
from bot.messages import Button, Outgoing
from bot.models import Draft
from bot.services.reporting import (
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    MIN_DESCRIPTION,
    NeedPhone,
    NeedStation,
)
from bot.texts import plain, t
from handlers.common import Glue, ack, callback_args, drop_buttons
from handlers.render import inline, menu_labels, request_keyboard, resident_menu
from handlers.stations import StationPicker

Context = ContextTypes.DEFAULT_TYPE

STATION, CATEGORY, DESCRIPTION, EXTRAS, CONFIRM = (
    "station",
    "category",
    "description",
    "extras",
    "confirm",
)
END = ConversationHandler.END
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


_SUMMARY = "report_summary_message"  # chat_data: the summary waiting for a shared contact


class Report(Glue):
    async def begin(self, update: Update, context: Context) -> str | int:
        """/report or 我要反映: start a draft (asking for the station first if needed)."""
        actor = await self.actor(update)
        try:
            draft = await self.services.reports.begin(actor)
        except NeedStation:
            await self.say(update, actor.lang, "report.need_station")
            await StationPicker(self.services).offer(update, actor)
            return STATION
        except LimitReached as exc:
            await self.refuse(update, actor.lang, exc)
            return END
        await self._categories(update, actor, draft)
        return CATEGORY

    async def _categories(self, update: Update, actor: Actor, draft: Draft) -> None:
        lang = actor.lang
        station = await self.services.people.station(draft.station_id)
        categories = await self.services.reports.categories()
        buttons = [Button(text=c.name(lang), data=encode("rep", "cat", c.id)) for c in categories]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        rows += ((Button(text=plain(lang, "btn.cancel"), data=encode("rep", "cancel")),),)
        await self.show(
            update,
            Outgoing(
                text=t(lang, "report.choose_category", station=station.name if station else ""),
                buttons=rows,
            ),
        )

    async def station_picked(self, update: Update, context: Context) -> str:
        """STATION: a station was chosen inside /report; carry on to the categories."""
        picker = StationPicker(self.services)
        station = await picker.station_picked(update, context)
        if station is None:
            return STATION
        return await self._restart(update)

    async def district_chosen(self, update: Update, context: Context) -> str:
        await StationPicker(self.services).district_chosen(update, context)
        return STATION

    async def location_for_station(self, update: Update, context: Context) -> str:
        await StationPicker(self.services).location_shared(update, context)
        return STATION

    async def _restart(self, update: Update) -> str:
        actor = await self.actor(update)
        try:
            draft = await self.services.reports.begin(actor)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return STATION
        await self._categories(update, actor, draft)
        return CATEGORY

    async def category_chosen(self, update: Update, context: Context) -> str:
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update)
        try:
            args = callback_args(query, 1)
            category = await self.services.reports.choose_category(actor, args[0])
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return CATEGORY
        await ack(query)
        await query.edit_message_text(
            t(
                actor.lang,
                "report.ask_description",
                category=category.name(actor.lang),
                min=MIN_DESCRIPTION,
                max=MAX_DESCRIPTION,
            ),
            parse_mode="HTML",
        )
        return DESCRIPTION

    async def described(self, update: Update, context: Context) -> str:
        """DESCRIPTION: text, or a photo with a caption (the photo is kept too)."""
        message = update.effective_message
        assert message is not None
        actor = await self.actor(update)
        text = message.text if message.text is not None else message.caption
        try:
            if message.photo and text is None:
                await self.services.reports.add_photo(actor, message.photo[-1].file_id)
                await self.say(update, actor.lang, "report.expect_description")
                return DESCRIPTION
            await self.services.reports.describe(actor, text or "")
            if message.photo:
                await self.services.reports.add_photo(actor, message.photo[-1].file_id)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return DESCRIPTION
        await self._extras_prompt(update, actor, "report.ask_extras", "btn.skip")
        return EXTRAS

    async def _replace(self, update: Update, message: Outgoing) -> None:
        """Turn the pressed message into `message` (one Bot API call instead of two)."""
        query = update.callback_query
        if query is not None and query.message is not None:
            await query.edit_message_text(
                message.text, parse_mode="HTML", reply_markup=inline(message.buttons)
            )
        else:
            await self.show(update, message)

    async def _extras_prompt(
        self, update: Update, actor: Actor, key: str, button: str, **params: object
    ) -> None:
        lang = actor.lang
        await self.show(
            update,
            Outgoing(
                text=t(lang, key, max=MAX_PHOTOS, **params),
                buttons=((Button(text=plain(lang, button), data=encode("rep", "skip")),),),
            ),
        )

    async def photo_added(self, update: Update, context: Context) -> str:
        message = update.effective_message
        assert message is not None and message.photo
        actor = await self.actor(update)
        try:
            draft = await self.services.reports.add_photo(actor, message.photo[-1].file_id)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return EXTRAS
        await self._extras_prompt(
            update, actor, "report.photo_added", "btn.done", count=len(draft.photos)
        )
        return EXTRAS

    async def location_added(self, update: Update, context: Context) -> str:
        message = update.effective_message
        assert message is not None and message.location is not None
        actor = await self.actor(update)
        await self.services.reports.set_location(
            actor, message.location.latitude, message.location.longitude
        )
        await self._extras_prompt(update, actor, "report.location_added", "btn.done")
        return EXTRAS

    async def extras_done(self, update: Update, context: Context) -> str | int:
        """跳过 / 完成: show similar open issues (附议) and the summary with 提交 / 取消."""
        query = update.callback_query
        actor = await self.actor(update)
        lang = actor.lang
        await ack(query)
        draft = await self.services.reports.current(actor)
        if draft is None or draft.description is None or draft.category_id is None:
            await self.say(update, lang, "report.no_draft")
            return END
        similar = await self.services.reports.similar(actor, draft)
        if similar:
            lines = [t(lang, "report.similar")]
            rows = []
            for issue in similar:
                lines.append(
                    t(
                        lang,
                        "report.similar_item",
                        number=issue.id,
                        state=views.state_name(lang, issue.state),
                        count=issue.supporters,
                        text=views.preview(issue.description),
                    )
                )
                rows.append(
                    (
                        Button(
                            text=plain(lang, "btn.support", number=issue.id),
                            data=encode("rep", "me2", issue.id),
                        ),
                    )
                )
            await self.show(update, Outgoing(text="\n".join(lines), buttons=tuple(rows)))
        confirm = await self._summary(actor, draft, actor.person.phone)
        if similar:
            await self.show(update, confirm)
        else:
            await self._replace(update, confirm)
        return CONFIRM

    async def _summary(self, actor: Actor, draft: Draft, phone: str | None) -> Outgoing:
        """The summary to confirm, with 提交 / 取消 and the phone choice (issue 6: the number
        goes with this issue only when the resident attaches it here)."""
        lang = actor.lang
        station = await self.services.people.station(draft.station_id)
        category = next(
            (c for c in await self.services.reports.categories() if c.id == draft.category_id),
            None,
        )
        shared = draft.share_phone and phone is not None
        summary = t(
            lang,
            "report.summary",
            station=station.name if station else "",
            category=category.name(lang) if category else "",
            text=draft.description or "",
            photos=len(draft.photos),
            location=plain(
                lang, "report.location_yes" if draft.lat is not None else "report.location_no"
            ),
            phone=plain(lang, "report.phone_yes", phone=phone)
            if shared
            else plain(lang, "report.phone_no"),
        )
        toggle = (
            Button(text=plain(lang, "reliability.btn_no_phone"), data=encode("rep", "nophone"))
            if shared
            else Button(
                text=plain(lang, "reliability.btn_share_phone"), data=encode("rep", "phone")
            )
        )
        return Outgoing(
            text=summary,
            buttons=(
                (
                    Button(text=plain(lang, "btn.submit"), data=encode("rep", "submit")),
                    Button(text=plain(lang, "btn.cancel"), data=encode("rep", "cancel")),
                ),
                (toggle,),
            ),
        )

    async def phone_toggled(self, update: Update, context: Context) -> str:
        """附上我的手机号 / 不附手机号 on the summary. A resident who never shared a number
        gets a keyboard button that sends their own contact (Telegram asks them first)."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update)
        attach = query.data == encode("rep", "phone")
        try:
            draft, phone = await self.services.reports.attach_phone(actor, attach)
        except NeedPhone:
            await ack(query)
            if query.message is not None and context.chat_data is not None:
                context.chat_data[_SUMMARY] = query.message.message_id
            await self.say(
                update,
                actor.lang,
                "reliability.offer_phone",
                reply_markup=request_keyboard(
                    actor.lang, "reliability.btn_share_phone", contact=True
                ),
            )
            return CONFIRM
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return CONFIRM
        await ack(query)
        await self._replace(update, await self._summary(actor, draft, phone))
        return CONFIRM

    async def phone_shared(self, update: Update, context: Context) -> str:
        """附上我的手机号: the resident's own contact attaches their phone to the report."""
        message = update.effective_message
        assert message is not None and message.contact is not None
        actor = await self.actor(update)
        contact = message.contact
        try:
            draft = await self.services.reports.share_phone(
                actor, contact.phone_number, contact.user_id
            )
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return CONFIRM
        await self.say(
            update,
            actor.lang,
            "reliability.phone_shared",
            reply_markup=resident_menu(actor.lang),
            phone=contact.phone_number,
        )
        summary_id = context.chat_data.pop(_SUMMARY, None) if context.chat_data else None
        if summary_id is not None and message.chat is not None:
            # the summary above now shows the number and offers 不附手机号
            refreshed = await self._summary(actor, draft, contact.phone_number)
            with contextlib.suppress(BadRequest):  # deleted, too old, or unchanged
                await context.bot.edit_message_text(
                    refreshed.text,
                    chat_id=message.chat.id,
                    message_id=summary_id,
                    parse_mode="HTML",
                    reply_markup=inline(refreshed.buttons),
                )
        return CONFIRM

    async def submit(self, update: Update, context: Context) -> int:
        """提交: the issue exists from here on; the resident sees its #number."""
        query = update.callback_query
        actor = await self.actor(update)
        try:
            issue = await self.services.reports.submit(actor)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return END
        await ack(query)
        await self._replace(
            update, Outgoing(text=t(actor.lang, "report.submitted", number=issue.id))
        )
        if context.chat_data and context.chat_data.pop(_SUMMARY, None) is not None:
            # the contact keyboard was offered and not used: the plain menu comes back
            await self.say(update, actor.lang, "menu.hint", reply_markup=resident_menu(actor.lang))
        return END

    async def support(self, update: Update, context: Context) -> int | str:
        """附议 an existing issue instead of filing a duplicate."""
        query = update.callback_query
        assert query is not None
        actor = await self.actor(update)
        try:
            args = callback_args(query, 1)
            issue = await self.services.reports.support(actor, args[0])
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return CONFIRM
        await ack(query)
        await drop_buttons(query)
        await self.say(
            update, actor.lang, "report.supported", number=issue.id, count=issue.supporters
        )
        return END

    async def cancel(self, update: Update, context: Context) -> int:
        if context.chat_data:
            context.chat_data.pop(_SUMMARY, None)
        actor = await self.actor(update)
        await self.services.reports.cancel(actor)
        await self.services.workflow.clear_prompt(actor)
        await ack(update.callback_query)
        await drop_buttons(update.callback_query)
        await self.say(
            update, actor.lang, "report.cancelled", reply_markup=resident_menu(actor.lang)
        )
        return END

    def expect(self, key: str, state: str):  # type: ignore[no-untyped-def]
        """A handler that answers unexpected input with what this step needs."""

        async def handler(update: Update, context: Context) -> str:
            actor = await self.actor(update)
            await self.say(update, actor.lang, key, max=MAX_PHOTOS, min=MIN_DESCRIPTION)
            return state

        return handler

    def conversation(self) -> ConversationHandler[Context]:
        everything = PRIVATE & ~filters.COMMAND
        menu = filters.Text(menu_labels("menu.report"))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*per_message.*")
            return ConversationHandler(
                name="report",
                persistent=True,
                allow_reentry=True,
                entry_points=[
                    CommandHandler("report", self.begin, filters=PRIVATE),
                    MessageHandler(PRIVATE & menu, self.begin),
                ],
                states={
                    STATION: [
                        CallbackQueryHandler(self.district_chosen, pattern=r"^st:dist:"),
                        CallbackQueryHandler(self.station_picked, pattern=r"^st:pick:"),
                        MessageHandler(PRIVATE & filters.LOCATION, self.location_for_station),
                    ],
                    CATEGORY: [
                        CallbackQueryHandler(self.category_chosen, pattern=r"^rep:cat:"),
                        MessageHandler(everything, self.expect("report.expect_category", CATEGORY)),
                    ],
                    DESCRIPTION: [
                        MessageHandler(
                            PRIVATE & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND,
                            self.described,
                        ),
                        MessageHandler(
                            everything, self.expect("report.expect_description", DESCRIPTION)
                        ),
                    ],
                    EXTRAS: [
                        MessageHandler(PRIVATE & filters.PHOTO, self.photo_added),
                        MessageHandler(PRIVATE & filters.LOCATION, self.location_added),
                        CallbackQueryHandler(self.extras_done, pattern=r"^rep:skip$"),
                        MessageHandler(everything, self.expect("report.expect_extras", EXTRAS)),
                    ],
                    CONFIRM: [
                        CallbackQueryHandler(self.submit, pattern=r"^rep:submit$"),
                        CallbackQueryHandler(self.support, pattern=r"^rep:me2:"),
                        CallbackQueryHandler(self.phone_toggled, pattern=r"^rep:(no)?phone$"),
                        MessageHandler(PRIVATE & filters.CONTACT, self.phone_shared),
                        MessageHandler(everything, self.expect("report.expect_confirm", CONFIRM)),
                    ],
                },
                fallbacks=[
                    CommandHandler("cancel", self.cancel),
                    CallbackQueryHandler(self.cancel, pattern=r"^rep:cancel$"),
                ],
            )
