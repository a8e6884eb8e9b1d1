"""Wiring: settings + clock + database + services → a running python-telegram-bot Application.

This is the one module of `bot/` that imports telegram (the test in tests/unit checks).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from pathlib import Path
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.clock import Clock
from bot.config import Settings
from bot.models import Channel, Lang
from bot.ports import Messenger
from bot.services import Services
from bot.services.broadcasts import Broadcaster
from bot.services.delivery import Deliverer
from bot.services.seeding import seed_database
from handlers import register
from handlers.aiohttp_request import AiohttpRequest
from handlers.common import Context
from handlers.everyone import RESIDENT_COMMANDS, bot_commands
from handlers.jobs import schedule_jobs
from handlers.lean_bot import LeanBot
from handlers.messenger import TelegramMessenger
from handlers.retry import RetryingRateLimiter
from handlers.updates import PerChatUpdateProcessor
from storage.db import Database
from wechat.side import WeChatSide
from wecom.messenger import PhotoSource
from wecom.side import WeComSide

log = logging.getLogger(__name__)

NO_PLATFORM = (
    "LIAISON_BOT_TOKEN (Telegram), the LIAISON_WECOM_* settings (WeCom) or the "
    "LIAISON_WECHAT_* settings (WeChat) are required to run the bot"
)
POLL_INTERVAL = 0.02  # seconds between getUpdates calls


def photo_source(
    services: Services,
    app: Application | None,  # type: ignore[type-arg]
) -> PhotoSource:
    """Bytes of an issue's photo, for platforms that need an upload: kept in the database
    (from WeChat), else fetched from Telegram by file id (None without Telegram)."""

    async def fetch(ref: str) -> bytes | None:
        kept = await services.platform.photo(ref)
        if kept is not None or app is None:
            return kept
        file = await app.bot.get_file(ref)
        return bytes(await file.download_as_bytearray())

    return fetch


def webhook_secret(token: str) -> str:
    """The secret Telegram sends with each webhook call, derived from the bot token."""
    return hashlib.sha256(f"liaison-webhook:{token}".encode()).hexdigest()[:48]


class LiaisonBot:
    """The whole bot: open the database, load the seed, poll, deliver the outbox."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        poll_timeout: float = 10.0,
        request_timeout: float | None = None,
    ) -> None:
        if not settings.any_platform:
            raise ValueError(NO_PLATFORM)
        self.settings = settings
        self.clock = clock
        self.poll_timeout = poll_timeout
        # seconds to wait for a Bot API answer (None: PTB's 5 s); fault tests lower it
        self.request_timeout = request_timeout
        self.db: Database | None = None
        self.app: Application | None = None  # type: ignore[type-arg]
        self.services: Services | None = None
        self.deliverer: Deliverer | None = None
        self.broadcaster: Broadcaster | None = None
        self.wecom: WeComSide | None = None
        self.wechat: WeChatSide | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        settings = self.settings
        self.db = db = await Database.open(settings.db)
        if settings.seed is not None:
            report = await seed_database(db, Path(settings.seed), self.clock)
            log.info("seed %s loaded: %d changes", settings.seed, report.total)
        self.services = services = Services.build(settings, self.clock, db)
        messengers: dict[Channel, Messenger] = {}
        app = self._telegram(services) if settings.bot_token is not None else None
        if app is not None:
            messengers[Channel.TELEGRAM] = TelegramMessenger(app.bot, services.platform.photo)
        # residents' photos on other platforms: kept here or fetched from Telegram, uploaded
        photos = photo_source(services, app)
        if settings.wecom:
            self.wecom = WeComSide(settings, services, self.clock, photos)
            messengers[Channel.WECOM] = self.wecom.messenger
        if settings.wechat:
            self.wechat = WeChatSide(settings, services, self.clock, photos)
            messengers[Channel.WECHAT] = self.wechat.messenger
        self.deliverer = Deliverer(db, self.clock, messengers, settings.admin_telegram_ids)
        db.on_commit = self.deliverer.wake
        if self.wechat is not None:
            self.wechat.wake = self.deliverer.wake
        if app is not None:
            await self._start_telegram(app, services)
        else:
            # without Telegram's JobQueue the sweep alone runs the scheduler (patrols start
            # at the first sweep after their time)
            self._tasks.append(asyncio.create_task(self._sweep_forever(), name="sweep"))
        self._tasks.append(asyncio.create_task(self.deliverer.run(), name="outbox"))
        if self.wecom is not None:
            await self.wecom.start()
        if self.wechat is not None:
            await self.wechat.start()
        log.info("bot started on %s", ", ".join(c.value for c in messengers))

    def _telegram(self, services: Services) -> Application:  # type: ignore[type-arg]
        settings = self.settings
        assert settings.bot_token is not None
        timeout = self.request_timeout if self.request_timeout is not None else 5.0
        bot = LeanBot(  # handlers/lean_bot.py: sent messages are not parsed back in full
            settings.bot_token.get_secret_value(),
            base_url=settings.api_base_url,
            base_file_url=settings.api_file_url,
            # aiohttp instead of httpx: a fraction of the CPU per Bot API call (bench/)
            request=AiohttpRequest(
                read_timeout=timeout, write_timeout=timeout, connect_timeout=timeout
            ),
            get_updates_request=AiohttpRequest(
                connection_pool_size=1, read_timeout=self.poll_timeout + 5
            ),
            defaults=Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
            # 429s as PTB's AIORateLimiter, plus 5xx / dropped connections (handlers/retry.py)
            rate_limiter=RetryingRateLimiter(max_retries=2),
        )
        app = (
            ApplicationBuilder()
            .bot(bot)
            .context_types(ContextTypes(context=Context))  # carries the update's actor
            .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_chats))
            .build()
        )
        register(app, services)
        self.app = app
        return app

    async def _start_telegram(self, app: Application, services: Services) -> None:  # type: ignore[type-arg]
        settings = self.settings
        assert settings.bot_token is not None
        await self._initialize(app)
        await self._set_commands(app)
        await app.start()
        assert app.updater is not None
        if settings.webhook_url:
            # Telegram posts updates to the public URL; we listen behind the TLS proxy.
            await app.updater.start_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
                webhook_url=settings.webhook_url,
                secret_token=webhook_secret(settings.bot_token.get_secret_value()),
                drop_pending_updates=False,
            )
        else:
            # 20 ms between polls: under load one getUpdates then brings several updates
            # instead of one (a fifth of the calls at 250 updates/s); idle, it long-polls
            await app.updater.start_polling(
                poll_interval=POLL_INTERVAL,
                timeout=int(self.poll_timeout),
                drop_pending_updates=False,
            )
        # broadcasts; resumes any broadcast a crash or restart interrupted
        assert self.db is not None
        self.broadcaster = Broadcaster(self.db, self.clock, settings, TelegramMessenger(app.bot))
        services.broadcasts.attach(self.broadcaster.wake_event)
        self.broadcaster.start()
        await schedule_jobs(app, services)  # the scheduler (deadline sweep, patrols)
        log.info("Telegram: @%s", app.bot.username)

    async def _sweep_forever(self) -> None:
        assert self.services is not None
        while True:
            try:
                await self.services.deadlines.sweep()
            except Exception:
                log.exception("scheduler sweep failed; the next one retries")
            await asyncio.sleep(self.settings.sweep_seconds)

    async def _set_commands(self, app: Application) -> None:  # type: ignore[type-arg]
        """Residents' commands for everyone; each role gets its own menu on /start."""
        await app.bot.set_my_commands(bot_commands(RESIDENT_COMMANDS, Lang.ZH))
        await app.bot.set_my_commands(bot_commands(RESIDENT_COMMANDS, Lang.EN), language_code="en")

    async def stop(self) -> None:
        if self.wecom is not None:
            await self.wecom.stop_receiving()
        if self.wechat is not None:
            await self.wechat.stop_receiving()
        if self.broadcaster is not None:  # let the message in flight be marked
            await self.broadcaster.stop()
            self.broadcaster = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.wecom is not None:  # after the outbox sender, which uses its client
            await self.wecom.stop()
            self.wecom = None
        if self.wechat is not None:
            await self.wechat.stop()
            self.wechat = None
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
        try:
            await self.start()
        except BaseException:
            # whatever failed, nothing may keep the process alive (the database threads)
            with contextlib.suppress(Exception):
                await self.stop()
            raise
        try:
            await stop.wait()
        finally:
            await self.stop()

    async def _initialize(self, app: Application) -> None:  # type: ignore[type-arg]
        """Reach the Bot API (getMe); an unreachable one is retried with backoff for
        LIAISON_STARTUP_RETRY_SECONDS. A rejected token is not retried."""
        deadline = self.clock.now() + self.settings.startup_retry_seconds
        pause = 1.0
        while True:
            try:
                await app.initialize()
                return
            except InvalidToken:
                await app.bot.shutdown()  # its HTTP sessions (the app never came up)
                raise
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or self.clock.now() + pause > deadline:
                    await app.bot.shutdown()
                    raise
                log.warning("Bot API unreachable (%s); retrying in %.0f s", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
