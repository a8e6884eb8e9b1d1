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
from handlers.deputy import Deputy
from handlers.everyone import Everyone
from handlers.prompts import Prompts
from handlers.render import menu_labels
from handlers.report import Report
from handlers.resident import Resident
from handlers.staff import Staff
from handlers.stations import StationPicker

PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # edits are ignored
GROUPS = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE

# handler groups: earlier groups see an update first
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
        # a prompt's 跳过
        CallbackQueryHandler(prompts.skip, pattern=r"^pr:skip$"),
        # anything else
        CallbackQueryHandler(everyone.stale_button),
        MessageHandler(PRIVATE & filters.COMMAND, everyone.unknown_command),
        MessageHandler(PRIVATE & ~filters.COMMAND, everyone.unknown_text),
    ]
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, prompts.text), group=ANSWERS)
    app.add_handlers(handlers, group=MAIN)
