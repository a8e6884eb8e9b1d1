"""Simulated Telegram users and group chats that talk to the bot through the fake server."""

from __future__ import annotations

import asyncio
import copy
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fakebot.models import BotMessage, TranscriptEntry
from fakebot.state import ChatState, PendingQuery

if TYPE_CHECKING:
    from fakebot.server import FakeBotApi

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,64})?")
_FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00fakebot-photo\xff\xd9"


def text_entities(text: str) -> list[dict[str, Any]]:
    """A ``bot_command`` entity for a leading ``/command`` (``/cmd@bot`` included)."""
    match = _COMMAND_RE.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]


class ChatView:
    """Bot messages of one chat, with a cursor for :meth:`next_message`."""

    def __init__(self, server: FakeBotApi, chat_id: int) -> None:
        self._server = server
        self.chat_id = chat_id
        self._cursor = 0
        # message_id -> number of edits of that message a step has accounted for
        self._seen: dict[int, int] = {}
        self._tapped: set[int] = set()  # message_ids the user pressed a button of
        self._tolerate: list[str] = []
        #: default of ``wait_for(strict=...)``; see docs/FAKE_BOT_API.md
        self.strict = False

    @property
    def _chat(self) -> ChatState:
        return self._server.chats[self.chat_id]

    @property
    def messages(self) -> list[BotMessage]:
        """All bot messages in this chat, in their current state (deleted ones marked)."""
        return list(self._chat.bot_messages)

    @property
    def last_message(self) -> BotMessage | None:
        """The newest bot message that was not deleted."""
        return next((m for m in reversed(self._chat.bot_messages) if not m.deleted), None)

    def transcript_text(self, last: int = 20) -> str:
        """Recent transcript lines of this chat."""
        return self._server.format_transcript(self.chat_id, last=last)

    async def _wait(self, ready: Any, timeout: float, what: str) -> None:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                while not ready():
                    await self._server.wait_change(self.chat_id)
        except TimeoutError:
            raise AssertionError(
                f"{what} in chat {self.chat_id} within {timeout}s. Recent transcript:\n"
                + self.transcript_text()
            ) from None

    # ------------------------------------------------------------------ accounting

    def _consume(self, message: BotMessage) -> BotMessage:
        """Count ``message`` in its current state (edits included) as seen by a step."""
        self._seen[message.message_id] = max(self._seen.get(message.message_id, 0), message.edits)
        return message

    def _tolerated(self, message: BotMessage, ignore: Iterable[str] = ()) -> bool:
        return any(text in message.text for text in (*self._tolerate, *ignore))

    def tolerate(self, *texts: str) -> None:
        """Messages containing any of ``texts`` may come at any time (a reminder that depends
        on the wall clock): strict ``wait_for`` passes over them, ``expect_no_more`` does
        not report them."""
        self._tolerate.extend(texts)

    @property
    def unseen(self) -> list[BotMessage]:
        """Bot messages no step has accounted for, oldest first.

        A message is accounted for once ``next_message``, ``wait_for``, ``sees`` or
        ``edited`` returned it or ``tap`` pressed one of its buttons. An edit is accounted
        for when one of those saw the message after it, or when the message is one the user
        tapped (the bot answering a press by editing the pressed message is expected). A
        message deleted before anyone saw it still counts; edits of deleted messages do not.
        """
        return [m for m in self._chat.bot_messages if not self._accounted(m)]

    def _accounted(self, message: BotMessage) -> bool:
        seen = self._seen.get(message.message_id)
        if seen is None:
            return False
        return seen >= message.edits or message.deleted or message.message_id in self._tapped

    def mark_seen(self, *messages: BotMessage) -> None:
        """Count these messages, in their current state, as seen (for messages a test
        checked through :attr:`messages`, e.g. photos); the cursor does not move."""
        for message in messages:
            if message.chat_id != self.chat_id:
                raise AssertionError(
                    f"message {message.message_id} is in chat {message.chat_id}, "
                    f"not in chat {self.chat_id}"
                )
            self._consume(message)

    def mark_all_seen(self) -> list[BotMessage]:
        """Count everything the bot has sent or edited so far as seen (a fresh start for
        :meth:`expect_no_more`) and move the ``next_message`` cursor to the end. Returns
        what was unseen."""
        unseen = self.unseen
        for message in self._chat.bot_messages:
            self._consume(message)
        self._cursor = len(self._chat.bot_messages)
        return unseen

    def _describe(self, message: BotMessage) -> str:
        seen = self._seen.get(message.message_id)
        text = message.text if len(message.text) <= 300 else message.text[:300] + "…"
        line = f"  #{message.message_id} {message.kind}"
        if seen is not None:
            line += f" seen, then edited {message.edits - seen} time(s), now"
        elif message.edits:
            line += f" (edited {message.edits} time(s))"
        if message.deleted:
            line += " (deleted)"
        line += f": {text!r}"
        if message.labels:
            line += "  [" + " | ".join(message.labels) + "]"
        return line

    def _unexpected(self, header: str, messages: list[BotMessage]) -> AssertionError:
        listing = "\n".join(self._describe(m) for m in messages)
        return AssertionError(
            f"{header}:\n{listing}\nRecent transcript:\n{self.transcript_text(last=30)}"
        )

    async def expect_no_more(
        self,
        quiet: float = 0.3,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        ignore: Iterable[str] = (),
    ) -> None:
        """Strict end of a transcript (or of a part of it).

        Waits until the bot is idle (:meth:`FakeBotApi.wait_idle` with ``quiet`` and
        ``timeout``), then fails with ``AssertionError`` listing every bot message and edit
        in this chat that no step accounted for (see :attr:`unseen`), with the transcript.
        Messages containing a text of ``ignore`` (or of :meth:`tolerate`) are not reported.
        """
        __tracebackhide__ = True
        await self._server.wait_idle(quiet=quiet, timeout=timeout)
        ignore = tuple(ignore)
        unexpected = [m for m in self.unseen if not self._tolerated(m, ignore)]
        if unexpected:
            raise self._unexpected(
                f"{len(unexpected)} bot message(s)/edit(s) no step expected"
                f" in chat {self.chat_id} ({self!r})",
                unexpected,
            )

    # ------------------------------------------------------------------ reading

    async def next_message(self, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """The next bot message not yet returned by ``next_message``/``wait_for``."""
        await self._wait(
            lambda: self._cursor < len(self._chat.bot_messages), timeout, "no new bot message"
        )
        message = self._chat.bot_messages[self._cursor]
        self._cursor += 1
        return self._consume(message)

    async def wait_for(
        self,
        text: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        strict: bool | None = None,
    ) -> BotMessage:
        """The next bot message after the cursor containing ``text``.

        Not strict (the default unless ``self.strict``): non-matching messages before it are
        skipped (:meth:`expect_no_more` still reports them). Strict: the first message after
        the cursor that no step has seen yet must contain ``text``; any other one fails at
        once, listing it with the transcript.
        """
        __tracebackhide__ = True
        if strict if strict is not None else self.strict:
            return await self._wait_for_strict(text, timeout)

        def find() -> int | None:
            messages = self._chat.bot_messages
            for index in range(self._cursor, len(messages)):
                if text in messages[index].text:
                    return index
            return None

        await self._wait(lambda: find() is not None, timeout, f"no bot message containing {text!r}")
        index = find()
        assert index is not None
        self._cursor = index + 1
        return self._consume(self._chat.bot_messages[index])

    async def _wait_for_strict(self, text: str, timeout: float) -> BotMessage:  # noqa: ASYNC109
        __tracebackhide__ = True

        def first_new() -> int | None:
            messages = self._chat.bot_messages
            for index in range(self._cursor, len(messages)):
                message = messages[index]
                if message.message_id not in self._seen and not (
                    self._tolerated(message) and text not in message.text
                ):
                    return index
            return None

        await self._wait(
            lambda: first_new() is not None, timeout, f"no bot message containing {text!r}"
        )
        index = first_new()
        assert index is not None
        message = self._chat.bot_messages[index]
        if text not in message.text:
            raise self._unexpected(
                f"expected a bot message containing {text!r} in chat {self.chat_id}"
                f" ({self!r}), got",
                [message],
            )
        self._cursor = index + 1
        return self._consume(message)

    async def sees(self, text: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """The newest bot message whose *current* text contains ``text`` (edits count).

        Unlike ``wait_for`` it does not move the ``next_message`` cursor, so it suits
        messages the bot changes in place (a notice edited to say who took it). The message
        counts as seen in its current state.
        """

        def find() -> BotMessage | None:
            for message in reversed(self._chat.bot_messages):
                if not message.deleted and text in message.text:
                    return message
            return None

        await self._wait(lambda: find() is not None, timeout, f"no bot message showing {text!r}")
        found = find()
        assert found is not None
        return self._consume(found)

    def album(self, message: BotMessage) -> list[BotMessage]:
        """Every message of the album (``sendMediaGroup``) ``message`` belongs to, in order;
        just ``[message]`` when it is not part of one. All of them count as seen."""
        if message.media_group_id is None:
            return [self._consume(message)]
        return [
            self._consume(m)
            for m in self._chat.bot_messages
            if m.media_group_id == message.media_group_id
        ]

    async def edited(self, message: BotMessage, text: str, timeout: float = 5.0) -> BotMessage:  # noqa: ASYNC109
        """Wait until ``message`` (which the bot edits in place) shows ``text``."""
        await self._wait(
            lambda: text in message.text and not message.deleted,
            timeout,
            f"message {message.message_id} never showed {text!r}",
        )
        return self._consume(message)


class FakeUser(ChatView):
    """A person in a private chat with the bot."""

    def __init__(
        self,
        server: FakeBotApi,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> None:
        super().__init__(server, user_id)
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        self.has_written = False
        self.alerts: list[str] = []
        self.keyboard_markup: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def as_user(self) -> dict[str, Any]:
        """The Bot API ``User`` object of this person."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    @property
    def keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard the bot currently shows this user, if any."""
        if self.keyboard_markup is None:
            return None
        rows = self.keyboard_markup.get("keyboard") or []
        return [[b if isinstance(b, str) else str(b.get("text")) for b in row] for row in rows]

    # ------------------------------------------------------------------ sending

    async def _post(
        self, content: dict[str, Any], kind: str, text: str = "", chat_id: int | None = None
    ) -> dict[str, Any]:
        server = self._server
        chat = server.chats[self.id if chat_id is None else chat_id]
        if chat.type == "private":
            self.blocked = False  # writing to the bot again restarts it
        message: dict[str, Any] = {
            "message_id": chat.take_message_id(),
            "date": int(time.time()),
            "chat": dict(chat.info),
            "from": self.as_user(),
            **content,
        }
        chat.messages[message["message_id"]] = message
        server.record(
            TranscriptEntry(
                self.name, chat.id, kind, text, user_id=self.id, message_id=message["message_id"]
            )
        )
        # Only a private message lets the bot write to the user (as on Telegram).
        server.enqueue("message", message, sender=self.id if chat.type == "private" else None)
        await asyncio.sleep(0)
        return copy.deepcopy(message)

    async def send(self, text: str) -> dict[str, Any]:
        """Send a text message; a leading ``/command`` gets a ``bot_command`` entity."""
        content: dict[str, Any] = {"text": text}
        entities = text_entities(text)
        if entities:
            content["entities"] = entities
        return await self._post(content, "text", text)

    async def send_album(self, count: int, caption: str | None = None) -> list[dict[str, Any]]:
        """Send 2–10 photos at once, as Telegram delivers an album: one message (and one
        update) per photo, all with the same ``media_group_id``; a caption on the first."""
        assert 2 <= count <= 10, "an album holds 2 to 10 items"
        group = str(10_000_000 + self._server.take_media_group())
        return [
            await self.send_photo(caption if n == 0 else None, media_group_id=group)
            for n in range(count)
        ]

    async def send_photo(
        self,
        caption: str | None = None,
        photo: bytes | None = None,
        media_group_id: str | None = None,
    ) -> dict[str, Any]:
        """Send a photo (two sizes, fresh file_ids) with an optional caption."""
        data = photo if photo is not None else _FAKE_JPEG
        small = self._server.new_file("photo", data, mime_type="image/jpeg")
        large = self._server.new_file("photo", data, mime_type="image/jpeg")
        sizes = [
            {"file_id": small.file_id, "file_unique_id": small.file_unique_id, "width": 90,
             "height": 90, "file_size": len(data)},
            {"file_id": large.file_id, "file_unique_id": large.file_unique_id, "width": 1280,
             "height": 960, "file_size": len(data)},
        ]  # fmt: skip
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return await self._post(content, "photo", caption or "")

    async def send_contact(
        self,
        phone_number: str,
        user_id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """Share a contact; ``user_id`` defaults to the sender (their own number)."""
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
            "user_id": self.id if user_id is None else user_id,
        }
        if last_name:
            contact["last_name"] = last_name
        return await self._post({"contact": contact}, "contact", phone_number)

    async def send_location(self, latitude: float, longitude: float) -> dict[str, Any]:
        """Share a location."""
        location = {"latitude": latitude, "longitude": longitude}
        return await self._post({"location": location}, "location", f"{latitude}, {longitude}")

    async def send_sticker(self, emoji: str = "👍") -> dict[str, Any]:
        """Send a sticker."""
        stored = self._server.new_file("sticker", b"RIFFfakewebp", mime_type="image/webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._post({"sticker": sticker}, "sticker", emoji)

    async def send_voice(self, data: bytes = b"OggSfakevoice", duration: int = 2) -> dict[str, Any]:
        """Send a voice note."""
        stored = self._server.new_file("voice", data, mime_type="audio/ogg")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return await self._post({"voice": voice}, "voice")

    async def send_document(
        self,
        data: bytes = b"%PDF-1.4 fake",
        filename: str = "file.pdf",
        caption: str | None = None,
        mime_type: str = "application/pdf",
    ) -> dict[str, Any]:
        """Send a file."""
        stored = self._server.new_file("document", data, filename=filename, mime_type=mime_type)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        content: dict[str, Any] = {"document": document}
        if caption:
            content["caption"] = caption
        return await self._post(content, "document", caption or filename)

    async def edit_message(self, message_id: int, text: str) -> dict[str, Any]:
        """Edit one of this user's earlier text messages (an ``edited_message`` update)."""
        chat = self._chat
        message = chat.messages.get(message_id)
        if message is None or message.get("from", {}).get("id") != self.id:
            raise AssertionError(f"{self.name} has no message {message_id} to edit")
        message["text"] = text
        message["edit_date"] = int(time.time())
        entities = text_entities(text)
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        self._server.record(
            TranscriptEntry(
                self.name, chat.id, "edit", text, user_id=self.id, message_id=message_id
            )
        )
        self._server.enqueue("edited_message", message, sender=self.id)
        await asyncio.sleep(0)
        return copy.deepcopy(message)

    async def press(self, label: str) -> dict[str, Any]:
        """Press a reply-keyboard button: sends its text, contact or location."""
        rows = (self.keyboard_markup or {}).get("keyboard") or []
        for row in rows:
            for button in row:
                raw = {"text": button} if isinstance(button, str) else button
                if raw.get("text") != label:
                    continue
                if raw.get("request_contact"):
                    return await self.send_contact(f"+86138{self.id:08d}"[-14:])
                if raw.get("request_location"):
                    return await self.send_location(45.75, 126.65)
                return await self.send(label)
        raise AssertionError(f"no reply keyboard button {label!r}; keyboard: {self.keyboard}")

    # ------------------------------------------------------------------ buttons

    def _find_button_message(self, label: str) -> BotMessage:
        for message in reversed(self._chat.bot_messages):
            if not message.deleted and message.button(label) is not None:
                return message
        shown = self.last_message.labels if self.last_message else []
        raise AssertionError(
            f"no inline button {label!r} in chat {self.chat_id}; newest message buttons: {shown}."
            f" Recent transcript:\n{self.transcript_text()}"
        )

    async def tap(
        self,
        label: str,
        message: BotMessage | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> str | None:
        """Press the inline button ``label`` and wait for the bot's answerCallbackQuery."""
        if message is None:
            message = self._find_button_message(label)
        button = message.button(label)
        if button is None:
            raise AssertionError(
                f"message {message.message_id} has no button {label!r}; labels: {message.labels}"
            )
        if message.deleted:
            raise AssertionError(f"message {message.message_id} was deleted")
        if button.callback_data is None:
            raise AssertionError(f"button {label!r} is not a callback button: {button.raw}")
        # whoever presses a button has seen its message (in a group: the group's view)
        view = (
            self if message.chat_id == self.chat_id else self._server._groups.get(message.chat_id)
        )
        if view is not None:
            view._consume(message)
            view._tapped.add(message.message_id)
        return await self._press(button.callback_data, message, label, timeout)

    async def tap_data(self, data: str, message: BotMessage, timeout: float = 5.0) -> str | None:  # noqa: ASYNC109
        """Forge a button press with arbitrary ``callback_data`` on ``message``."""
        return await self._press(data, message, data, timeout)

    async def _press(
        self,
        data: str,
        message: BotMessage,
        label: str,
        timeout: float,  # noqa: ASYNC109
    ) -> str | None:
        server = self._server
        chat = server.chats[message.chat_id]
        if chat.type == "private":
            self.blocked = False
        current = chat.messages.get(message.message_id)
        shown: dict[str, Any] = (
            dict(current)
            if current is not None
            else {"chat": dict(chat.info), "message_id": message.message_id, "date": 0}
        )
        query = PendingQuery(server.new_query_id(), self.id, chat.id, message.message_id)
        server.queries[query.id] = query
        server.record(
            TranscriptEntry(
                self.name, chat.id, "tap", label, user_id=self.id, message_id=message.message_id
            )
        )
        server.enqueue(
            "callback_query",
            {
                "id": query.id,
                "from": self.as_user(),
                "message": shown,
                "chat_instance": f"ci{chat.id}",
                "data": data,
            },
            sender=self.id if chat.type == "private" else None,
        )
        try:
            await asyncio.wait_for(query.answered.wait(), timeout=timeout)
        except TimeoutError:
            raise AssertionError(
                f"bot did not answer the callback query for {label!r} within {timeout}s."
                f" Recent transcript:\n{self.transcript_text()}"
            ) from None
        return query.text

    # ------------------------------------------------------------------ blocking

    def block(self) -> None:
        """Block the bot: sends to this user fail with 403 (``my_chat_member`` update)."""
        if not self.blocked:
            self.blocked = True
            self._member_update("member", "kicked")

    def unblock(self) -> None:
        """Unblock the bot again."""
        if self.blocked:
            self.blocked = False
            self._member_update("kicked", "member")

    def _member_update(self, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"status": status, "user": dict(self._server.bot_user)}
            if status == "kicked":
                entry["until_date"] = 0
            return entry

        self._server.record(
            TranscriptEntry(
                self.name, self.id, "block" if new == "kicked" else "unblock", user_id=self.id
            )
        )
        self._server.enqueue(
            "my_chat_member",
            {
                "chat": dict(self._chat.info),
                "from": self.as_user(),
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )


class FakeGroup(ChatView):
    """A group chat with the bot in it (for group-chat and hostile-input tests)."""

    def __init__(self, server: FakeBotApi, chat_id: int, title: str) -> None:
        super().__init__(server, chat_id)
        self.id = chat_id
        self.title = title

    def __repr__(self) -> str:
        return f"FakeGroup({self.id}, {self.title!r})"

    async def send(self, user: FakeUser, text: str) -> dict[str, Any]:
        """``user`` writes ``text`` in this group."""
        content: dict[str, Any] = {"text": text}
        entities = text_entities(text)
        if entities:
            content["entities"] = entities
        return await user._post(content, "text", text, chat_id=self.id)
