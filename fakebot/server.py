"""The fake Telegram Bot API HTTP server (aiohttp) and its shared state.

``FakeBotApi`` listens on 127.0.0.1 (random port) in the caller's event loop. PTB is pointed at
it with ``base_url=server.base_url`` and ``base_file_url=server.file_url``. Requests are decoded
by the Bot API schema, checked strictly, answered like Telegram does and logged in ``calls``;
malformed requests (the bot's bugs) are also logged in ``violations``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import logging
import time
from typing import Any

import aiohttp
from aiohttp import web

from fakebot.api_schema import METHODS, RETURNS
from fakebot.faults import Faults
from fakebot.methods import IMPLEMENTED, BotMethods
from fakebot.models import ApiCall, ApiError, BotMessage, TranscriptEntry, Upload, bad_request
from fakebot.params import decode
from fakebot.state import ChatState, PendingQuery, StoredFile
from fakebot.users import FakeGroup, FakeUser

log = logging.getLogger(__name__)

_METHOD_BY_LOWER = {name.lower(): name for name in METHODS}
# Update types Telegram delivers when ``allowed_updates`` was never set (or set to []).
DEFAULT_ALLOWED = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# Error codes that are normal runtime conditions rather than bugs in the bot.
_RUNTIME_CODES = frozenset({403, 409, 429})


class FakeBotApi:
    """A strict in-process stand-in for ``api.telegram.org``; see docs/FAKE_BOT_API.md."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "liaison_test_bot",
        *,
        bot_first_name: str = "联络站助手",
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.calls: list[ApiCall] = []
        self.violations: list[ApiCall] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.transcript: list[TranscriptEntry] = []
        self.faults = Faults()
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        # Where webhook updates really go (Telegram posts to webhook_url; a test points this at
        # the bot's local listener, as a reverse proxy would).
        self.webhook_target: str | None = None
        self._pushing = False
        self._background: set[asyncio.Task[None]] = set()
        self.base_url = ""
        self.file_url = ""
        self.port = 0

        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.queries: dict[str, PendingQuery] = {}
        self._updates: list[dict[str, Any]] = []
        self._delivered: dict[int, dict[str, Any]] = {}
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._media_groups = itertools.count(1)
        self._allowed: frozenset[str] = DEFAULT_ALLOWED
        self._poll_generation = 0
        self._update_event = asyncio.Event()
        self._change_events: dict[int, asyncio.Event] = {}
        self._activity = asyncio.Event()
        self._last_activity = time.monotonic()
        self._inflight = 0
        self._waiting_polls = 0
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._methods = BotMethods(self)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start listening on 127.0.0.1 with a random free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._serve_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.port = int(port)
        self.base_url = f"http://{host}:{self.port}/bot"
        self.file_url = f"http://{host}:{self.port}/file/bot"
        self._stopping = False

    async def stop(self) -> None:
        """Wake pending long polls and stop the server."""
        self._stopping = True
        self._update_event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ simulated people

    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> FakeUser:
        """Create (or return the existing) simulated user with a private chat."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user = FakeUser(self, user_id, first_name, last_name, username, language_code)
        self._users[user_id] = user
        info: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            info["last_name"] = last_name
        if username:
            info["username"] = username
        self.chats[user_id] = ChatState(user_id, "private", info)
        return user

    def group(self, chat_id: int, title: str, *, username: str | None = None) -> FakeGroup:
        """Create (or return) a group chat the bot is a member of."""
        existing = self._groups.get(chat_id)
        if existing is not None:
            return existing
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        info: dict[str, Any] = {"id": chat_id, "type": kind, "title": title}
        if username:
            info["username"] = username
        self.chats[chat_id] = ChatState(chat_id, kind, info)
        group = FakeGroup(self, chat_id, title)
        self._groups[chat_id] = group
        return group

    def users(self) -> list[FakeUser]:
        """All simulated users."""
        return list(self._users.values())

    def get_user(self, user_id: int) -> FakeUser | None:
        return self._users.get(user_id)

    # ------------------------------------------------------------------ inspection helpers

    def calls_to(self, method: str) -> list[ApiCall]:
        """Calls of one method (case-insensitive), oldest first."""
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def format_transcript(self, chat_id: int | None = None, last: int | None = None) -> str:
        """The transcript as text lines (optionally one chat, optionally the last N lines)."""
        entries = [e for e in self.transcript if chat_id is None or e.chat_id == chat_id]
        if last is not None:
            entries = entries[-last:]
        return "\n".join(str(e) for e in entries) or "(empty transcript)"

    @property
    def polling(self) -> bool:
        """Whether a ``getUpdates`` long poll is currently waiting for updates."""
        return self._waiting_polls > 0

    @property
    def pending_updates(self) -> int:
        """Updates queued but not yet confirmed by a later getUpdates offset."""
        return len(self._updates)

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Return once no update is pending and no API call happened for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            remaining = deadline - now
            busy = bool(self._updates) or self._inflight > 0
            since = time.monotonic() - self._last_activity
            if not busy and since >= quiet:
                return
            if remaining <= 0:
                raise AssertionError(
                    f"bot not idle after {timeout}s: {len(self._updates)} update(s) pending, "
                    f"{self._inflight} call(s) in flight. Recent transcript:\n"
                    + self.format_transcript(last=15)
                )
            wait = remaining if busy else min(quiet - since, remaining)
            self._activity.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._activity.wait(), timeout=max(wait, 0.001))

    # ------------------------------------------------------------------ internal API (users)

    def touch(self) -> None:
        """Note activity (for ``wait_idle``)."""
        self._last_activity = time.monotonic()
        self._activity.set()

    def notify(self, chat_id: int) -> None:
        """Wake whoever waits for a change of this chat's bot messages / query answers.

        Per chat, as Telegram delivers to each chat on its own: waking every waiting user
        on every change would make the simulated users, not the bot, the bottleneck."""
        event = self._change_events.pop(chat_id, None)
        if event is not None:
            event.set()
        self.touch()

    async def wait_change(self, chat_id: int) -> None:
        """Wait for the next :meth:`notify` of ``chat_id``."""
        event = self._change_events.get(chat_id)
        if event is None:
            event = self._change_events[chat_id] = asyncio.Event()
        await event.wait()

    def enqueue(self, kind: str, payload: dict[str, Any], sender: int | None = None) -> int:
        """Queue an update ``{update_id, kind: payload}``; mark the sender as having written."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self._delivered[update_id] = update
        if sender is not None and sender in self._users:
            self._users[sender].has_written = True
        self._update_event.set()
        self.touch()
        self.deliver_webhook()
        return update_id

    @property
    def last_update_id(self) -> int:
        """The id of the newest update a user sent."""
        return max(self._delivered)

    def redeliver(self, update_id: int) -> None:
        """Queue an update again, as Telegram does when the bot died before confirming it."""
        self._updates.append(copy.deepcopy(self._delivered[update_id]))
        self._update_event.set()
        self.touch()
        self.deliver_webhook()

    def deliver_webhook(self) -> None:
        """With a webhook set (and a target to reach), push pending updates to it."""
        if self.webhook_url and self.webhook_target and not self._pushing and self._updates:
            self._pushing = True
            task = asyncio.get_running_loop().create_task(self._push_updates())
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _push_updates(self) -> None:
        try:
            async with aiohttp.ClientSession() as session:
                failures = 0
                while self._updates and self.webhook_url and self.webhook_target and failures < 50:
                    update = self._updates[0]
                    headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
                    try:
                        async with session.post(
                            self.webhook_target, json=update, headers=headers
                        ) as resp:
                            delivered = resp.status == 200
                    except aiohttp.ClientError:
                        delivered = False
                    if delivered:
                        self._updates.pop(0)
                        self.touch()
                        failures = 0
                    else:
                        failures += 1
                        await asyncio.sleep(0.1)
        finally:
            self._pushing = False

    def record(self, entry: TranscriptEntry) -> None:
        self.transcript.append(entry)

    def new_file(
        self,
        kind: str,
        data: bytes | None,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        """Store a file and give it fresh ids."""
        number = next(self._file_ids)
        prefix = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "sticker": "CAAC"}
        file_id = f"{prefix.get(kind, 'AAAC')}{kind}{number:06d}"
        stored = StoredFile(file_id, f"u{number:06d}", kind, data, filename, mime_type, url)
        self.files[file_id] = stored
        return stored

    def new_query_id(self) -> str:
        return f"{self.bot_id}{next(self._query_ids):08d}"

    def take_media_group(self) -> int:
        """A fresh number for an album a user sends."""
        return next(self._media_groups)

    def add_bot_message(self, chat: ChatState, message: BotMessage) -> None:
        chat.bot_messages.append(message)
        chat.bot_by_id[message.message_id] = message
        buttons = message.labels or [t for row in message.reply_keyboard or [] for t in row]
        self.record(
            TranscriptEntry(
                "bot", chat.id, message.kind, message.text, buttons, message_id=message.message_id
            )
        )
        self.notify(chat.id)

    # ------------------------------------------------------------------ HTTP

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        path = request.match_info["path"]
        for stored in self.files.values():
            if stored.file_path == path and stored.data is not None:
                return web.Response(
                    body=stored.data, content_type=stored.mime_type or "application/octet-stream"
                )
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method != "POST" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("JSON request body must be an object")
            params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw_name = request.match_info["method"]
        name = _METHOD_BY_LOWER.get(raw_name.lower(), raw_name)
        is_poll = name == "getUpdates"
        call = ApiCall(method=name, params={}, time=time.time())
        if not is_poll:
            self._inflight += 1
            self.touch()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            call.params = await self._read_params(request)
            chat = call.params.get("chat_id")
            seconds = self.faults.delay_for(name, chat)
            if seconds > 0:
                await asyncio.sleep(seconds)
                # the client gave up waiting (timed out): the call is handled all the same,
                # as Telegram would, but an injected fault would reach nobody
                call.abandoned = request.transport is None or request.transport.is_closing()
            reset = self.faults.should_reset(name, chat)
            if reset and not call.abandoned:
                call.ok, call.injected, call.description = (
                    False,
                    True,
                    "connection reset (injected)",
                )
                self.calls.append(call)
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)
            injected = (
                None
                if reset
                else self.faults.failure_for(name, seen=not call.abandoned, chat_id=chat)
            )
            if injected is not None:
                call.injected = True
                raise injected
            result = await self._dispatch(name, call)
        except ApiError as error:
            return self._error(call, error)
        finally:
            if not is_poll:
                self._inflight -= 1
                self.touch()
        call.result = result
        if not (is_poll and not result):
            self.calls.append(call)
        if is_poll and result:
            self.touch()
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    async def _dispatch(self, name: str, call: ApiCall) -> Any:
        fields = METHODS.get(name)
        if fields is None:
            raise ApiError(404, "Not Found: method not found")
        params = decode(fields, call.params)
        call.params = params
        if name == "getUpdates":
            return await self._get_updates(params)
        if name in IMPLEMENTED:
            return await getattr(self._methods, name)(params)
        if RETURNS.get(name) == ("Boolean",):
            return True
        raise ApiError(501, f"Not Implemented: fakebot does not implement {name}")

    def _error(self, call: ApiCall, error: ApiError) -> web.Response:
        call.ok = False
        call.error_code = error.code
        call.description = error.description
        self.calls.append(call)
        if not call.injected and error.code not in _RUNTIME_CODES:
            self.violations.append(call)
            log.warning("fakebot violation: %s", call)
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
        return web.json_response(body, status=error.code, dumps=_dumps)

    # ------------------------------------------------------------------ getUpdates

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if not 1 <= limit <= 100:
            limit = 100
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed = frozenset(str(a) for a in allowed) or DEFAULT_ALLOWED
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_event.set()  # an older long poll still waiting gets 409 Conflict
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            self._drop_disallowed()
            if self._updates or self._stopping:
                batch = self._updates[:limit]
                return [json.loads(json.dumps(u)) for u in batch]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            self._update_event.clear()
            self._waiting_polls += 1
            try:
                await asyncio.wait_for(self._update_event.wait(), timeout=remaining)
            except TimeoutError:
                return []
            finally:
                self._waiting_polls -= 1

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != before:
            self.touch()  # wait_idle: an update the bot answers with nothing is done now too

    def _drop_disallowed(self) -> None:
        kept = [u for u in self._updates if _update_kind(u) in self._allowed]
        if len(kept) != len(self._updates):
            self._updates = kept
            self.touch()


def _update_kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
