"""python-telegram-bot glue. `register()` is the bot's whole surface, in order."""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.callbacks import (
    BroadcastPress,
    ChannelPress,
    ExportPress,
    HotspotPress,
    IdentityPress,
    InvitePress,
    IssuePress,
    LangPress,
    MyPage,
    OverduePage,
    PatrolPress,
    PhoneAsk,
    PromptPress,
    ReceptionPress,
    ReportPress,
    RevisitPress,
    StationPress,
    StatsPeriod,
    SuggestionPress,
    UnitPress,
)
from bot.conversation.counter import MUTE_VERBS, RESIDENT_VERBS, REVISIT_VERBS
from bot.conversation.desk import DESK_VERBS, PHONE_VERBS
from bot.services import Services
from handlers.admin import Admin
from handlers.broadcast import Broadcasts
from handlers.conversation import Conversation
from handlers.desk import DeskGlue
from handlers.everyone import Everyone
from handlers.failures import on_error
from handlers.guard import foreign_press
from handlers.identity import Identity
from handlers.render import menu_labels
from handlers.reports_admin import ReportsAdmin
from handlers.resident import Resident

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # edits are ignored
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE

# handler groups: earlier groups see an update first
GUARD = -2  # forged or dead button presses are refused before anything else
CONVERSATION = -1  # commands put aside what was pending; other messages go to the engine
MAIN = 0


def register(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Every handler of the bot, in the order they are tried."""
    everyone = Everyone(services)
    conversation = Conversation(services)
    resident = Resident(services)
    desk = DeskGlue(services)
    broadcasts = Broadcasts(services)
    reports_admin = ReportsAdmin(services)
    admin = Admin(services)

    def menu(key: str) -> filters.BaseFilter:
        return PRIVATE & filters.Text(menu_labels(key))

    handlers: list[BaseHandler[Any, Any, Any]] = [
        # group chats: the bot only works in private
        MessageHandler(GROUPS, everyone.group_message),
        # reporting: the engine keeps the draft and the step (bot/conversation)
        CommandHandler("report", conversation.report, filters=PRIVATE),
        MessageHandler(menu("menu.report"), conversation.report),
        CallbackQueryHandler(conversation.press, pattern=ReportPress.pattern()),
        CallbackQueryHandler(conversation.press, pattern=PromptPress.pattern()),
        # everyone
        CommandHandler("start", everyone.start, filters=PRIVATE),
        CommandHandler("help", everyone.help, filters=PRIVATE),
        CommandHandler("lang", everyone.lang, filters=PRIVATE),
        CommandHandler("cancel", conversation.cancel, filters=PRIVATE),
        CallbackQueryHandler(everyone.lang_chosen, pattern=LangPress.pattern()),
        # residents: the counter (bot/conversation/counter.py)
        CommandHandler("station", resident.station, filters=PRIVATE),
        MessageHandler(menu("menu.station"), resident.station),
        CommandHandler("reception", resident.reception, filters=PRIVATE),
        MessageHandler(menu("menu.reception"), resident.reception),
        CallbackQueryHandler(resident.press, pattern=StationPress.pattern("dist", "pick")),
        MessageHandler(PRIVATE & filters.LOCATION, resident.location),
        CommandHandler("my", resident.my, filters=PRIVATE),
        MessageHandler(menu("menu.my"), resident.my),
        CallbackQueryHandler(resident.press, pattern=MyPage.pattern()),
        CallbackQueryHandler(resident.press, pattern=IssuePress.pattern(*RESIDENT_VERBS)),
        CallbackQueryHandler(resident.press, pattern=RevisitPress.pattern(*REVISIT_VERBS)),
        # a contact outside a report binds a seeded deputy/staff member by phone
        MessageHandler(PRIVATE & filters.CONTACT, admin.contact),
        # deputies, staff and admins: the desk (bot/conversation/desk.py)
        CommandHandler("tasks", desk.tasks, filters=PRIVATE),
        CommandHandler("channel", desk.channel, filters=PRIVATE),
        CallbackQueryHandler(desk.press, pattern=ChannelPress.pattern()),
        CallbackQueryHandler(desk.press, pattern=IssuePress.pattern(*DESK_VERBS)),
        CallbackQueryHandler(desk.press, pattern=RevisitPress.pattern(*PHONE_VERBS)),  # 回访 calls
        # department liaisons, and the deputies and staff working with them
        CallbackQueryHandler(desk.press, pattern=UnitPress.pattern()),
        # 代表建议 and 建议线索
        CommandHandler("hotspots", desk.hotspots, filters=PRIVATE),
        CommandHandler("suggestions", desk.suggestions, filters=PRIVATE),
        CallbackQueryHandler(desk.press, pattern=SuggestionPress.pattern()),
        CallbackQueryHandler(desk.press, pattern=HotspotPress.pattern()),
        # staff and admin tools
        CommandHandler("broadcast", broadcasts.command, filters=PRIVATE),
        CallbackQueryHandler(broadcasts.district, pattern=BroadcastPress.pattern("dist")),
        CallbackQueryHandler(
            broadcasts.audience, pattern=BroadcastPress.pattern("st", "dep", "dall", "all")
        ),
        CallbackQueryHandler(broadcasts.send, pattern=BroadcastPress.pattern("send")),
        CallbackQueryHandler(broadcasts.cancel, pattern=BroadcastPress.pattern("cancel")),
        # a station's notices muted under a notice or in /station: the counter
        CallbackQueryHandler(resident.press, pattern=BroadcastPress.pattern(*MUTE_VERBS)),
        CommandHandler("stats", reports_admin.stats, filters=PRIVATE),
        CallbackQueryHandler(reports_admin.stats_period, pattern=StatsPeriod.pattern()),
        CommandHandler("export", reports_admin.export, filters=PRIVATE),
        CallbackQueryHandler(reports_admin.export_chosen, pattern=ExportPress.pattern()),
        CommandHandler("invite", admin.invite, filters=PRIVATE),
        CallbackQueryHandler(admin.invite_step, pattern=InvitePress.pattern()),
        CallbackQueryHandler(admin.phone_ask, pattern=PhoneAsk.pattern()),
        # 确认 / 取消 when an account bound to one seeded person opens another's invite
        CallbackQueryHandler(Identity(services).press, pattern=IdentityPress.pattern()),
        # overdue list, patrols, reception-day reminders
        CommandHandler("overdue", desk.overdue, filters=PRIVATE),
        CallbackQueryHandler(desk.press, pattern=OverduePage.pattern()),
        CommandHandler("patrol", desk.patrol, filters=PRIVATE),
        CallbackQueryHandler(desk.press, pattern=PatrolPress.pattern()),
        CallbackQueryHandler(resident.press, pattern=ReceptionPress.pattern()),
        # anything else
        CallbackQueryHandler(everyone.stale_button),
        MessageHandler(PRIVATE & filters.COMMAND, everyone.unknown_command),
        MessageHandler(PRIVATE & ~filters.COMMAND, everyone.unknown_text),
    ]
    app.add_handler(MessageHandler(PRIVATE, conversation.before), group=CONVERSATION)
    app.add_handler(CallbackQueryHandler(conversation.before_press), group=CONVERSATION)
    app.add_handlers(handlers, group=MAIN)
    app.add_error_handler(on_error)  # one line per failure, no user text
    # a press on a message of somebody else's private chat goes no further
    app.add_handler(CallbackQueryHandler(foreign_press), group=GUARD)
