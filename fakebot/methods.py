"""Implementations of the Bot API methods the fake server supports.

Every public coroutine here is named exactly like the Bot API method it implements and takes the
decoded parameters. Errors are raised as :class:`fakebot.models.ApiError` with Telegram's
wording.
"""

from __future__ import annotations

import copy
import json
import time
from typing import TYPE_CHECKING, Any

from fakebot.formatting import ParseError, parse_text, strip_text, utf16_len
from fakebot.keyboards import check_inline_keyboard, check_reply_keyboard, markup_kind
from fakebot.models import ApiError, BotMessage, TranscriptEntry, Upload, bad_request, forbidden
from fakebot.state import ChatState, StoredFile

if TYPE_CHECKING:
    from fakebot.server import FakeBotApi

Params = dict[str, Any]
Message = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_TEXT = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_MEDIA_KINDS = {"photo", "video", "document", "audio"}

IMPLEMENTED = frozenset(
    {
        "getMe",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "logOut",
        "close",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "setChatMenuButton",
        "getChatMenuButton",
        "setMyDescription",
        "getMyDescription",
        "setMyShortDescription",
        "getMyShortDescription",
        "setMyName",
        "getMyName",
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "deleteMessage",
        "deleteMessages",
        "answerCallbackQuery",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "sendLocation",
        "sendChatAction",
        "getFile",
        "copyMessage",
        "forwardMessage",
        "getChat",
    }
)


def scope_key(scope: Any) -> str:
    """Canonical JSON of a ``BotCommandScope`` (default scope when None)."""
    if scope is None:
        scope = {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope: wrong scope type")
    return json.dumps(scope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def render(
    text: str | None, parse_mode: str | None, entities: Any, *, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Parse, strip and length-check a text or caption; return ``(plain, entities)``."""
    if text is None:
        if caption:
            return "", []
        raise bad_request("message text is empty")
    try:
        if isinstance(entities, list) and not parse_mode:
            plain, ents = text, [e for e in entities if isinstance(e, dict)]
        else:
            plain, ents = parse_text(text, parse_mode)
    except ParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    plain, ents = strip_text(plain, ents)
    size = utf16_len(plain)
    if caption:
        if size > MAX_CAPTION:
            raise bad_request("message caption is too long")
    elif size == 0:
        raise bad_request("message text is empty")
    elif size > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, ents


class BotMethods:
    """The method handlers; state lives on the :class:`FakeBotApi` they belong to."""

    def __init__(self, server: FakeBotApi) -> None:
        self.s = server

    # ------------------------------------------------------------------ helpers

    def _chat(self, chat_id: Any, *, sending: bool) -> ChatState:
        chat = self.s.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private":
            user = self.s.get_user(chat.id)
            if user is not None and user.blocked:
                raise forbidden("bot was blocked by the user")
            if sending and user is not None and not user.has_written:
                raise forbidden("bot can't initiate conversation with a user")
        return chat

    def _message_base(self, chat: ChatState) -> Message:
        return {
            "message_id": chat.take_message_id(),
            "date": int(time.time()),
            "chat": dict(chat.info),
            "from": dict(self.s.bot_user),
        }

    def _reply_to(self, chat: ChatState, params: Params, message: Message) -> None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict):
            return
        target_chat = chat
        if reply.get("chat_id") not in (None, chat.id):
            target_chat = self._chat(reply.get("chat_id"), sending=False)
        target = target_chat.messages.get(reply.get("message_id"))  # type: ignore[arg-type]
        if target is None:
            if reply.get("allow_sending_without_reply"):
                return
            raise bad_request("message to be replied not found")
        message["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}

    def _apply_markup(self, bot_message: BotMessage, message: Message, markup: Any) -> None:
        """Validate ``reply_markup`` and reflect it on the message."""
        if markup is None:
            bot_message.buttons = []
            message.pop("reply_markup", None)
            return
        kind = markup_kind(markup)
        if kind == "inline":
            bot_message.buttons = check_inline_keyboard(markup)
            message["reply_markup"] = {
                "inline_keyboard": [[b.raw for b in row] for row in bot_message.buttons]
            }
        elif kind == "reply":
            bot_message.reply_keyboard = check_reply_keyboard(markup)
            user = self.s.get_user(bot_message.chat_id)
            if user is not None:
                user.keyboard_markup = markup
        elif kind == "remove":
            user = self.s.get_user(bot_message.chat_id)
            if user is not None:
                user.keyboard_markup = None

    def _deliver(
        self, chat: ChatState, message: Message, params: Params, bot_message: BotMessage
    ) -> Message:
        self._reply_to(chat, params, message)
        self._apply_markup(bot_message, message, params.get("reply_markup"))
        bot_message.raw = message
        chat.messages[message["message_id"]] = message
        self.s.add_bot_message(chat, bot_message)
        return copy.deepcopy(message)

    def _media(self, value: Any, kind: str, params: Params) -> tuple[StoredFile, bytes | str]:
        """Resolve an InputFile / file_id / URL / ``attach://`` value to a stored file."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
            if not isinstance(value, Upload):
                raise bad_request(f"wrong remote file identifier specified: {kind} attachment")
        if isinstance(value, Upload):
            mime = value.content_type
            if kind == "photo":
                mime = "image/jpeg"
            stored = self.s.new_file(kind, value.data, filename=value.filename, mime_type=mime)
            return stored, value.data
        if not isinstance(value, str) or not value.strip():
            raise bad_request(f"there is no {kind} in the request")
        known = self.s.files.get(value)
        if known is not None:
            same = known.kind == kind or (kind != "photo" and known.kind != "photo")
            if not same:
                raise bad_request(f"can't use file of type {known.kind.title()} as {kind.title()}")
            return known, value
        if value.startswith(("http://", "https://")):
            return self.s.new_file(kind, None, url=value), value
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _find(self, params: Params, *, action: str) -> tuple[ChatState, Message]:
        """Locate the message to edit/delete by chat_id + message_id."""
        if params.get("inline_message_id"):
            raise bad_request(f"message to {action} not found")
        if params.get("chat_id") is None or params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self._chat(params["chat_id"], sending=False)
        message = chat.messages.get(params["message_id"])
        if message is None:
            raise bad_request(f"message to {action} not found")
        return chat, message

    def _editable(self, params: Params) -> tuple[ChatState, Message, BotMessage]:
        chat, message = self._find(params, action="edit")
        bot_message = chat.bot_by_id.get(message["message_id"])
        if bot_message is None:
            raise bad_request("message can't be edited")
        return chat, message, bot_message

    def _finish_edit(
        self, chat: ChatState, message: Message, bot_message: BotMessage, before: Message
    ) -> Message:
        comparable = ("text", "entities", "caption", "caption_entities", "reply_markup")
        if all(before.get(k) == message.get(k) for k in comparable):
            message.clear()
            message.update(before)
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message["edit_date"] = int(time.time())
        bot_message.edits += 1
        self.s.record(
            TranscriptEntry(
                "bot",
                chat.id,
                "edit",
                bot_message.text,
                bot_message.labels,
                message_id=bot_message.message_id,
            )
        )
        self.s.notify(chat.id)
        return copy.deepcopy(message)

    # ------------------------------------------------------------------ bot & settings

    async def getMe(self, params: Params) -> Any:
        return {
            **self.s.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def getChat(self, params: Params) -> Any:
        chat = self._chat(params["chat_id"], sending=False)
        return {**chat.info, "accent_color_id": 0, "max_reaction_count": 11}

    async def setWebhook(self, params: Params) -> Any:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.s.webhook_url = url
        self.s.webhook_secret = str(params.get("secret_token") or "")
        self.s.deliver_webhook()
        return True

    async def deleteWebhook(self, params: Params) -> Any:
        self.s.webhook_url = ""
        if params.get("drop_pending_updates"):
            self.s._updates.clear()
            self.s.touch()
        return True

    async def getWebhookInfo(self, params: Params) -> Any:
        return {
            "url": self.s.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": self.s.pending_updates,
        }

    async def logOut(self, params: Params) -> Any:
        return True

    async def close(self, params: Params) -> Any:
        return True

    async def setMyCommands(self, params: Params) -> Any:
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "")
        cleaned: list[dict[str, Any]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand: BotCommand should be an Object")
            command = item.get("command")
            description = item.get("description")
            if (
                not isinstance(command, str)
                or not 1 <= len(command) <= 32
                or not all(c.islower() or c.isdigit() or c == "_" for c in command)
                or not command.isascii()
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("command description is empty or too long")
            cleaned.append({"command": command, "description": description})
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        if cleaned:
            self.s.commands[key] = cleaned
        else:
            self.s.commands.pop(key, None)
        return True

    async def getMyCommands(self, params: Params) -> Any:
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return copy.deepcopy(self.s.commands.get(key, []))

    async def deleteMyCommands(self, params: Params) -> Any:
        key = (scope_key(params.get("scope")), str(params.get("language_code") or ""))
        self.s.commands.pop(key, None)
        return True

    async def setChatMenuButton(self, params: Params) -> Any:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._chat(chat_id, sending=False)
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button: wrong type")
        self.s.menu_buttons[chat_id] = button
        return True

    async def getChatMenuButton(self, params: Params) -> Any:
        chat_id = params.get("chat_id")
        default = self.s.menu_buttons.get(None, {"type": "default"})
        return copy.deepcopy(self.s.menu_buttons.get(chat_id, default))

    def _set_text(self, store: dict[str, str], params: Params, field: str, limit: int) -> bool:
        value = str(params.get(field) or "")
        if utf16_len(value) > limit:
            raise bad_request(f"{field} is too long")
        language = str(params.get("language_code") or "")
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    async def setMyDescription(self, params: Params) -> Any:
        return self._set_text(self.s.descriptions, params, "description", 512)

    async def getMyDescription(self, params: Params) -> Any:
        language = str(params.get("language_code") or "")
        return {"description": self.s.descriptions.get(language, "")}

    async def setMyShortDescription(self, params: Params) -> Any:
        return self._set_text(self.s.short_descriptions, params, "short_description", 120)

    async def getMyShortDescription(self, params: Params) -> Any:
        language = str(params.get("language_code") or "")
        return {"short_description": self.s.short_descriptions.get(language, "")}

    async def setMyName(self, params: Params) -> Any:
        return self._set_text(self.s.names, params, "name", 64)

    async def getMyName(self, params: Params) -> Any:
        language = str(params.get("language_code") or "")
        return {"name": self.s.names.get(language, str(self.s.bot_user["first_name"]))}

    # ------------------------------------------------------------------ sending

    async def sendMessage(self, params: Params) -> Any:
        chat = self._chat(params["chat_id"], sending=True)
        plain, entities = render(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        message = self._message_base(chat)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        bot_message = BotMessage(
            message["message_id"],
            chat.id,
            "text",
            plain,
            html=params["text"],
            parse_mode=params.get("parse_mode"),
        )
        return self._deliver(chat, message, params, bot_message)

    async def _send_media(self, params: Params, kind: str) -> Any:
        chat = self._chat(params["chat_id"], sending=True)
        caption = params.get("caption")
        plain, entities = render(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        stored, shown = self._media(params.get(kind), kind, params)
        message = self._message_base(chat)
        message.update(self._media_object(stored, kind))
        if plain:
            message["caption"] = plain
        if entities:
            message["caption_entities"] = entities
        bot_message = BotMessage(
            message["message_id"],
            chat.id,
            kind,
            plain,
            html=caption,
            parse_mode=params.get("parse_mode"),
        )
        self._attach(bot_message, stored, shown)
        return self._deliver(chat, message, params, bot_message)

    def _media_object(self, stored: StoredFile, kind: str) -> dict[str, Any]:
        size = len(stored.data) if stored.data is not None else 0
        base = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if kind == "photo":
            return {
                "photo": [
                    {**base, "width": 90, "height": 90, "file_size": min(size, 1024)},
                    {**base, "width": 1280, "height": 960, "file_size": size},
                ]
            }
        obj: dict[str, Any] = {**base, "file_size": size}
        if kind == "document":
            obj["file_name"] = stored.filename or "document"
            obj["mime_type"] = stored.mime_type or "application/octet-stream"
        elif kind in ("video", "audio"):
            obj["duration"] = 1
            if kind == "video":
                obj.update(width=640, height=480)
        return {kind: obj}

    def _attach(self, bot_message: BotMessage, stored: StoredFile, shown: bytes | str) -> None:
        if bot_message.kind == "photo":
            bot_message.photo = shown
        else:
            bot_message.document = stored.data
            bot_message.filename = stored.filename

    async def sendPhoto(self, params: Params) -> Any:
        return await self._send_media(params, "photo")

    async def sendDocument(self, params: Params) -> Any:
        return await self._send_media(params, "document")

    async def sendMediaGroup(self, params: Params) -> Any:
        chat = self._chat(params["chat_id"], sending=True)
        media = params["media"]
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("media group must contain 2-10 items")
        kinds = {item.get("type") if isinstance(item, dict) else None for item in media}
        if not kinds <= _MEDIA_KINDS:
            raise bad_request("can't parse InputMedia: unsupported media type")
        if len(kinds) > 1 and ("document" in kinds or "audio" in kinds):
            raise bad_request("documents and audio can't be mixed with other media types")
        prepared = []
        for item in media:
            kind = str(item["type"])
            plain, entities = render(
                item.get("caption"),
                item.get("parse_mode"),
                item.get("caption_entities"),
                caption=True,
            )
            stored, shown = self._media(item.get("media"), kind, params)
            prepared.append((item, kind, plain, entities, stored, shown))
        group_id = f"{chat.id}{chat.next_message_id}"
        # every item answers the same message; an album has no reply_markup (Telegram
        # ignores one sent anyway, so the fake does too)
        reply = {"reply_parameters": params.get("reply_parameters")}
        self._reply_to(chat, reply, {})  # refused before any item is sent
        results = []
        for item, kind, plain, entities, stored, shown in prepared:
            message = self._message_base(chat)
            message["media_group_id"] = group_id
            message.update(self._media_object(stored, kind))
            if plain:
                message["caption"] = plain
            if entities:
                message["caption_entities"] = entities
            bot_message = BotMessage(
                message["message_id"],
                chat.id,
                kind,
                plain,
                html=item.get("caption"),
                parse_mode=item.get("parse_mode"),
                media_group_id=group_id,
            )
            self._attach(bot_message, stored, shown)
            results.append(self._deliver(chat, message, reply, bot_message))
        return results

    async def sendLocation(self, params: Params) -> Any:
        chat = self._chat(params["chat_id"], sending=True)
        latitude, longitude = params["latitude"], params["longitude"]
        if not isinstance(latitude, float | int) or not -90 <= latitude <= 90:
            raise bad_request("wrong latitude specified")
        if not isinstance(longitude, float | int) or not -180 <= longitude <= 180:
            raise bad_request("wrong longitude specified")
        message = self._message_base(chat)
        message["location"] = {"latitude": latitude, "longitude": longitude}
        bot_message = BotMessage(
            message["message_id"], chat.id, "location", f"📍 {latitude}, {longitude}"
        )
        return self._deliver(chat, message, params, bot_message)

    async def sendChatAction(self, params: Params) -> Any:
        self._chat(params["chat_id"], sending=True)
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def copyMessage(self, params: Params) -> Any:
        copied = await self._copy(params, forward=False)
        return {"message_id": copied["message_id"]}

    async def forwardMessage(self, params: Params) -> Any:
        return await self._copy(params, forward=True)

    async def _copy(self, params: Params, *, forward: bool) -> Message:
        action = "forward" if forward else "copy"
        source_chat = self.s.chats.get(params["from_chat_id"])
        if source_chat is None:
            raise bad_request("chat not found")
        source = source_chat.messages.get(params["message_id"])
        if source is None:
            raise bad_request(f"message to {action} not found")
        chat = self._chat(params["chat_id"], sending=True)
        skip = {"message_id", "date", "chat", "from", "reply_markup", "edit_date"}
        skip |= {"reply_to_message", "forward_origin", "media_group_id"}
        content = {k: copy.deepcopy(v) for k, v in source.items() if k not in skip}
        message = self._message_base(chat)
        message.update(content)
        if forward:
            origin: dict[str, Any] = {"type": "user", "date": source["date"]}
            origin["sender_user"] = source.get("from", self.s.bot_user)
            message["forward_origin"] = origin
        elif "caption" in params or "caption_entities" in params:
            plain, entities = render(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                caption=True,
            )
            message.pop("caption_entities", None)
            message.pop("caption", None)
            if plain:
                message["caption"] = plain
            if entities:
                message["caption_entities"] = entities
        kind = next(
            (
                k
                for k in ("photo", "document", "location", "contact", "sticker", "voice")
                if k in message
            ),
            "text",
        )
        text = message.get("text") or message.get("caption") or ""
        if kind == "contact":
            text = str(message["contact"].get("phone_number", ""))
        bot_message = BotMessage(message["message_id"], chat.id, kind, text)
        if kind == "photo":
            bot_message.photo = message["photo"][-1]["file_id"]
        elif kind == "document":
            stored = self.s.files.get(message["document"]["file_id"])
            bot_message.document = stored.data if stored else None
            bot_message.filename = message["document"].get("file_name")
        return self._deliver(chat, message, {} if forward else params, bot_message)

    # ------------------------------------------------------------------ editing

    async def editMessageText(self, params: Params) -> Any:
        chat, message, bot_message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        plain, entities = render(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = params.get("reply_markup")
        if markup is not None and markup_kind(markup) != "inline":
            raise bad_request("inline keyboard expected")
        before = copy.deepcopy(message)
        message["text"] = plain
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        buttons = bot_message.buttons
        shown = (bot_message.text, bot_message.html, bot_message.parse_mode)
        self._apply_markup(bot_message, message, markup)
        bot_message.text, bot_message.html = plain, params["text"]
        bot_message.parse_mode = params.get("parse_mode")
        try:
            return self._try_finish(chat, message, bot_message, before, buttons)
        except ApiError:
            bot_message.text, bot_message.html, bot_message.parse_mode = shown
            raise

    def _try_finish(
        self,
        chat: ChatState,
        message: Message,
        bot_message: BotMessage,
        before: Message,
        buttons: list[Any],
    ) -> Message:
        try:
            return self._finish_edit(chat, message, bot_message, before)
        except ApiError:
            bot_message.buttons = buttons
            raise

    async def editMessageCaption(self, params: Params) -> Any:
        chat, message, bot_message = self._editable(params)
        if not any(k in message for k in ("photo", "document", "video", "audio")):
            raise bad_request("there is no caption in the message to edit")
        plain, entities = render(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        markup = params.get("reply_markup")
        if markup is not None and markup_kind(markup) != "inline":
            raise bad_request("inline keyboard expected")
        before = copy.deepcopy(message)
        message.pop("caption", None)
        message.pop("caption_entities", None)
        if plain:
            message["caption"] = plain
        if entities:
            message["caption_entities"] = entities
        buttons = bot_message.buttons
        shown = (bot_message.text, bot_message.html, bot_message.parse_mode)
        self._apply_markup(bot_message, message, markup)
        bot_message.text, bot_message.html = plain, params.get("caption")
        bot_message.parse_mode = params.get("parse_mode")
        try:  # the transcript's edit line shows the new caption
            return self._try_finish(chat, message, bot_message, before, buttons)
        except ApiError:
            bot_message.text, bot_message.html, bot_message.parse_mode = shown
            raise

    async def editMessageReplyMarkup(self, params: Params) -> Any:
        chat, message, bot_message = self._editable(params)
        markup = params.get("reply_markup")
        if markup is not None and markup_kind(markup) != "inline":
            raise bad_request("inline keyboard expected")
        before = copy.deepcopy(message)
        buttons = bot_message.buttons
        self._apply_markup(bot_message, message, markup)
        return self._try_finish(chat, message, bot_message, before, buttons)

    async def deleteMessage(self, params: Params) -> Any:
        chat, message = self._find(params, action="delete")
        self._delete(chat, message)
        return True

    async def deleteMessages(self, params: Params) -> Any:
        ids = params["message_ids"]
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must contain 1-100 identifiers")
        chat = self._chat(params["chat_id"], sending=False)
        for message_id in ids:
            message = chat.messages.get(message_id)
            if message is not None:
                self._delete(chat, message)
        return True

    def _delete(self, chat: ChatState, message: Message) -> None:
        del chat.messages[message["message_id"]]
        bot_message = chat.bot_by_id.get(message["message_id"])
        if bot_message is not None:
            bot_message.deleted = True
        self.s.record(
            TranscriptEntry(
                "bot",
                chat.id,
                "delete",
                bot_message.text if bot_message else "",
                message_id=message["message_id"],
            )
        )
        self.s.notify(chat.id)

    # ------------------------------------------------------------------ callbacks & files

    async def answerCallbackQuery(self, params: Params) -> Any:
        query = self.s.queries.get(str(params["callback_query_id"]))
        if query is None or query.answered.is_set():
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        query.text = str(text) if text else None
        query.show_alert = bool(params.get("show_alert"))
        query.answered.set()
        user = self.s.get_user(query.user_id)
        if query.text:
            if user is not None:
                user.alerts.append(query.text)
            self.s.record(
                TranscriptEntry(
                    "bot",
                    query.chat_id,
                    "alert" if query.show_alert else "toast",
                    query.text,
                    user_id=query.user_id,
                )
            )
        self.s.notify(query.chat_id)
        return True

    async def getFile(self, params: Params) -> Any:
        stored = self.s.files.get(str(params["file_id"]))
        if stored is None:
            raise bad_request("invalid file_id")
        result: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
        }
        if stored.data is not None:
            result["file_size"] = len(stored.data)
            result["file_path"] = stored.file_path
        return result
