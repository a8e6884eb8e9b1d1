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

from bot.services import Services
from handlers.admin import Admin
from handlers.broadcast import Broadcasts
from handlers.deputy import Deputy
from handlers.everyone import Everyone
from handlers.failures import on_error
from handlers.guard import foreign_press
from handlers.prompts import Prompts
from handlers.reception import ReceptionGlue
from handlers.render import menu_labels
from handlers.report import Report
from handlers.reports_admin import ReportsAdmin
from handlers.resident import Resident
from handlers.scheduling import Scheduling
from handlers.staff import Staff
from handlers.stations import StationPicker

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # edits are ignored
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE

# handler groups: earlier groups see an update first
PATROL_NOTES = -3  # issue 4: a deputy's note for a 走街串巷 problem item
GUARD = -3  # issue 6: forged button presses are refused before anything else
COMPOSE = -2  # issue 5: a /broadcast waiting for its notice takes the next message
ANSWERS = -1  # a pending prompt takes the next text
MAIN = 0


def register(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Every handler of the bot, in the order they are tried."""
    everyone = Everyone(services)
    stations = StationPicker(services)
    report = Report(services)
    resident = Resident(services)
    deputy = Deputy(services)
    staff = Staff(services)
    prompts = Prompts(services)
    broadcasts = Broadcasts(services)  # issue 5
    reports_admin = ReportsAdmin(services)
    admin = Admin(services)
    scheduling = Scheduling(services)  # issue 4
    reception = ReceptionGlue(services)  # issue 4

    def menu(key: str) -> filters.BaseFilter:
        return PRIVATE & filters.Text(menu_labels(key))

    handlers: list[BaseHandler[Any, Any, Any]] = [
        # group chats: the bot only works in private
        MessageHandler(GROUPS, everyone.group_message),
        # the /report conversation (persistent; see handlers/report.py)
        report.conversation(),
        # everyone
        CommandHandler("start", everyone.start, filters=PRIVATE),
        CommandHandler("help", everyone.help, filters=PRIVATE),
        CommandHandler("lang", everyone.lang, filters=PRIVATE),
        CommandHandler("cancel", everyone.cancel, filters=PRIVATE),
        CallbackQueryHandler(everyone.lang_chosen, pattern=r"^lang:(zh|en)$"),
        # residents
        CommandHandler("station", stations.station_command, filters=PRIVATE),
        MessageHandler(menu("menu.station"), stations.station_command),
        CommandHandler("reception", stations.reception, filters=PRIVATE),
        MessageHandler(menu("menu.reception"), stations.reception),
        CallbackQueryHandler(stations.district_chosen, pattern=r"^st:dist:"),
        CallbackQueryHandler(stations.station_picked_outside_report, pattern=r"^st:pick:"),
        MessageHandler(PRIVATE & filters.LOCATION, stations.location_shared),
        CommandHandler("my", resident.my, filters=PRIVATE),
        MessageHandler(menu("menu.my"), resident.my),
        CallbackQueryHandler(resident.my_more, pattern=r"^my:page:\d+$"),
        CallbackQueryHandler(resident.pressed(resident.view), pattern=r"^iss:view:"),
        CallbackQueryHandler(resident.pressed(resident.follow_up), pattern=r"^iss:fu:"),
        CallbackQueryHandler(resident.pressed(resident.answer), pattern=r"^iss:ans:"),
        CallbackQueryHandler(resident.pressed(resident.withdraw), pattern=r"^iss:wd:"),
        CallbackQueryHandler(resident.pressed(resident.rate, 2), pattern=r"^iss:rate:"),
        # a report whose conversation state was lost still submits from its buttons
        CallbackQueryHandler(report.submit, pattern=r"^rep:submit$"),
        CallbackQueryHandler(report.support, pattern=r"^rep:me2:"),
        CallbackQueryHandler(report.cancel, pattern=r"^rep:cancel$"),
        MessageHandler(PRIVATE & filters.CONTACT, report.phone_shared),  # issue 6
        # deputies
        CommandHandler("tasks", deputy.tasks, filters=PRIVATE),
        CallbackQueryHandler(deputy.pressed(deputy.accept), pattern=r"^iss:acc:"),
        CallbackQueryHandler(deputy.pressed(deputy.decline), pattern=r"^iss:dec:"),
        CallbackQueryHandler(deputy.pressed(deputy.reject), pattern=r"^iss:rej:"),
        CallbackQueryHandler(deputy.pressed(deputy.reply), pattern=r"^iss:rep:"),
        CallbackQueryHandler(deputy.pressed(deputy.transfer), pattern=r"^iss:tra:"),
        CallbackQueryHandler(deputy.pressed(deputy.department, 2), pattern=r"^iss:dep:"),
        CallbackQueryHandler(deputy.pressed(deputy.ask), pattern=r"^iss:ask:"),
        # staff and admins
        CallbackQueryHandler(staff.pressed(staff.assign, 2), pattern=r"^iss:asg:"),
        CallbackQueryHandler(staff.pressed(staff.supervise), pattern=r"^iss:sup:"),
        # issue 5: staff and admin tools
        CommandHandler("broadcast", broadcasts.command, filters=PRIVATE),
        CallbackQueryHandler(broadcasts.district, pattern=r"^bc:dist:"),
        CallbackQueryHandler(broadcasts.audience, pattern=r"^bc:(st|dep|dall|all)(:|$)"),
        CallbackQueryHandler(broadcasts.send, pattern=r"^bc:send:"),
        CallbackQueryHandler(broadcasts.cancel, pattern=r"^bc:cancel:"),
        CallbackQueryHandler(broadcasts.mute, pattern=r"^bc:(mute|unmute):"),
        CommandHandler("stats", reports_admin.stats, filters=PRIVATE),
        CallbackQueryHandler(reports_admin.stats_period, pattern=r"^stats:p:\d+$"),
        CommandHandler("export", reports_admin.export, filters=PRIVATE),
        CallbackQueryHandler(reports_admin.export_chosen, pattern=r"^exp:(csv|xlsx)$"),
        CommandHandler("invite", admin.invite, filters=PRIVATE),
        CallbackQueryHandler(admin.invite_step, pattern=r"^inv:"),
        CallbackQueryHandler(admin.phone_ask, pattern=r"^phone:ask$"),
        # issue 4: overdue list, patrols, reception-day reminders
        CommandHandler("overdue", scheduling.overdue, filters=PRIVATE),
        CallbackQueryHandler(scheduling.overdue_more, pattern=r"^ovd:page:\d+$"),
        CommandHandler("patrol", scheduling.patrol, filters=PRIVATE),
        CallbackQueryHandler(scheduling.patrol_start, pattern=r"^pat:start:"),
        CallbackQueryHandler(scheduling.patrol_press, pattern=r"^pat:(item|ok|bad|done):"),
        CallbackQueryHandler(reception.toggle, pattern=r"^rcp:(on|off):"),
        # a prompt's 跳过
        CallbackQueryHandler(prompts.skip, pattern=r"^pr:skip$"),
        # anything else
        CallbackQueryHandler(everyone.stale_button),
        MessageHandler(PRIVATE & filters.COMMAND, everyone.unknown_command),
        MessageHandler(PRIVATE & ~filters.COMMAND, everyone.unknown_text),
    ]
    # issue 5: the notice of a /broadcast being composed (or /cancel for it)
    app.add_handler(
        MessageHandler(
            PRIVATE & ((filters.TEXT & ~filters.COMMAND) | filters.PHOTO), broadcasts.content
        ),
        group=COMPOSE,
    )
    app.add_handler(
        CommandHandler("cancel", broadcasts.cancel_command, filters=PRIVATE), group=COMPOSE
    )
    # issue 5: a shared contact outside a report binds a seeded deputy/staff member by phone
    app.add_handler(MessageHandler(PRIVATE & filters.CONTACT, admin.contact), group=COMPOSE)
    # issue 4: the note after 有问题 on a patrol checklist (text, or a photo with a caption)
    app.add_handler(
        MessageHandler(PRIVATE & ~filters.COMMAND, scheduling.patrol_note), group=PATROL_NOTES
    )
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, prompts.text), group=ANSWERS)
    app.add_handlers(handlers, group=MAIN)
    app.add_error_handler(on_error)  # issue 6: one line per failure, no user text
    # issue 6: a press on a message of somebody else's private chat goes no further
    app.add_handler(CallbackQueryHandler(foreign_press), group=GUARD)
