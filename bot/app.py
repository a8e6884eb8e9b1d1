"""Wiring: settings + clock + database + services → a running python-telegram-bot Application.

This is the one module of `bot/` that imports telegram (the test in tests/unit checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from telegram import LinkPreviewOptions
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.clock import Clock
from bot.config import Settings
from bot.models import Lang
from bot.services import Services
from bot.services.delivery import Deliverer
from bot.services.seeding import seed_database
from handlers import register
from handlers.everyone import RESIDENT_COMMANDS, bot_commands
from handlers.messenger import TelegramMessenger
from handlers.persistence import SQLitePersistence
from handlers.updates import PerChatUpdateProcessor
from storage.db import Database

log = logging.getLogger(__name__)


class LiaisonBot:
    """The whole bot: open the database, load the seed, poll, deliver the outbox."""

    def __init__(self, settings: Settings, clock: Clock, *, poll_timeout: float = 10.0) -> None:
        if settings.bot_token is None:
            raise ValueError("LIAISON_BOT_TOKEN is required to run the bot")
        self.settings = settings
        self.clock = clock
        self.poll_timeout = poll_timeout
        self.db: Database | None = None
        self.app: Application | None = None  # type: ignore[type-arg]
        self.services: Services | None = None
        self.deliverer: Deliverer | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        settings = self.settings
        assert settings.bot_token is not None
        self.db = db = await Database.open(settings.db)
        if settings.seed is not None:
            report = await seed_database(db, Path(settings.seed), self.clock)
            log.info("seed %s loaded: %d changes", settings.seed, report.total)
        self.services = services = Services.build(settings, self.clock, db)
        app = (
            ApplicationBuilder()
            .token(settings.bot_token.get_secret_value())
            .base_url(settings.api_base_url)
            .base_file_url(settings.api_file_url)
            .persistence(SQLitePersistence(db))
            .rate_limiter(AIORateLimiter(max_retries=2))
            .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
            .get_updates_read_timeout(self.poll_timeout + 5)
            .concurrent_updates(PerChatUpdateProcessor())
            .build()
        )
        register(app, services)
        self.app = app
        self.deliverer = Deliverer(db, self.clock, TelegramMessenger(app.bot))
        db.on_commit = self.deliverer.wake
        await app.initialize()
        await self._set_commands(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=int(self.poll_timeout), drop_pending_updates=False
        )
        self._tasks.append(asyncio.create_task(self.deliverer.run(), name="outbox"))
        log.info("bot started as @%s", app.bot.username)

    async def _set_commands(self, app: Application) -> None:  # type: ignore[type-arg]
        """Residents' commands for everyone; each role gets its own menu on /start."""
        await app.bot.set_my_commands(bot_commands(RESIDENT_COMMANDS, Lang.ZH))
        await app.bot.set_my_commands(bot_commands(RESIDENT_COMMANDS, Lang.EN), language_code="en")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        app = self.app
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        if self.deliverer is not None:
            self.deliverer = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def run_until(self, stop: asyncio.Event) -> None:
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.stop()
