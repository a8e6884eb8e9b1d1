"""Simulated WeChat users (residents): what the account sent them and what they do (follow,
scan a parametric code, write, tap msgmenu options, send pictures...), posted to the bot as
callbacks exactly as WeChat posts them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fakewechat.callbacks import new_callback_msgid, text_message
from fakewechat.menu import click_keys
from fakewechat.models import CallbackRequest, Received

if TYPE_CHECKING:
    from fakewechat.server import FakeWeChat


class FakeResident:
    """A WeChat user of the fake account: not a follower until :meth:`follow` or :meth:`scan`."""

    def __init__(self, server: FakeWeChat, openid: str, name: str) -> None:
        self._server = server
        self.openid = openid
        self.name = name
        self.follower = False
        self.blocks_templates = False  # template sends end as "failed:user block"
        self.messages: list[Received] = []
        self.deliveries: list[CallbackRequest] = []
        self._cursor = 0
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"FakeResident({self.openid!r}, {self.name!r}, follower={self.follower})"

    # ------------------------------------------------------------------ what the account sent

    def deliver(self, item: Received) -> None:
        self.messages.append(item)
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def templates(self) -> list[Received]:
        """The template messages received, oldest first."""
        return [m for m in self.messages if m.via == "template"]

    @property
    def last(self) -> Received | None:
        """The newest message, or None."""
        return self.messages[-1] if self.messages else None

    async def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                while not ready():
                    await self._changed.wait()
        except TimeoutError:
            recent = "\n".join(
                f"  {m.via}/{m.msgtype}: {m.text[:200]!r}" for m in self.messages[-10:]
            )
            raise AssertionError(
                f"{what} for {self.openid} within {timeout}s; recent messages:\n"
                f"{recent or '  (none)'}"
            ) from None

    async def next_message(self, timeout: float = 5.0) -> Received:  # noqa: ASYNC109
        """The next message not yet returned by ``next_message``/``wait_for``."""
        await self._wait(lambda: self._cursor < len(self.messages), timeout, "no new message")
        item = self.messages[self._cursor]
        self._cursor += 1
        return item

    async def wait_for(self, text: str, timeout: float = 5.0) -> Received:  # noqa: ASYNC109
        """The next message after the cursor whose readable text contains ``text``; earlier
        ones are skipped."""

        def find() -> int | None:
            for index in range(self._cursor, len(self.messages)):
                if text in self.messages[index].text:
                    return index
            return None

        await self._wait(lambda: find() is not None, timeout, f"no message containing {text!r}")
        index = find()
        assert index is not None
        self._cursor = index + 1
        return self.messages[index]

    async def sees(self, text: str, timeout: float = 5.0) -> Received:  # noqa: ASYNC109
        """The newest message (any, read or not) whose text contains ``text``; the cursor
        does not move."""

        def find() -> Received | None:
            return next((m for m in reversed(self.messages) if text in m.text), None)

        await self._wait(lambda: find() is not None, timeout, f"no message showing {text!r}")
        found = find()
        assert found is not None
        return found

    # ------------------------------------------------------------------ acting

    @property
    def last_delivery(self) -> CallbackRequest | None:
        """The newest callback this resident caused (with its attempts and passive reply)."""
        return self.deliveries[-1] if self.deliveries else None

    def _fields(self, msgtype: str, **fields: Any) -> dict[str, Any]:
        server = self._server
        return {
            "ToUserName": server.original_id,
            "FromUserName": self.openid,
            "CreateTime": int(server.clock()),
            "MsgType": msgtype,
            **fields,
        }

    def _event(self, event: str, **fields: Any) -> dict[str, Any]:
        return self._fields("event", Event=event, **fields)

    def _need_follower(self, action: str) -> None:
        if not self.follower:
            raise AssertionError(
                f"{self.openid} cannot {action}: not a follower (call follow() or scan() first)"
            )

    async def _post(self, inner: dict[str, Any], opens: str | None) -> int | None:
        """Open the window (``"message"`` or ``"event"``) the action opens, then post."""
        server = self._server
        server._callbacks._url()  # AssertionError before any state changes without a URL
        if opens == "message":
            server.windows_of(self.openid).user_message(server.clock())
        elif opens == "event":
            server.windows_of(self.openid).user_event(server.clock())
        request = await server._callbacks.deliver(self.openid, inner)
        self.deliveries.append(request)
        return request.status

    async def follow(self) -> int | None:
        """Follow the account without a code: a plain ``subscribe`` event (no EventKey)."""
        if self.follower:
            raise AssertionError(f"{self.openid} already follows the account")
        self.follower = True
        return await self._post(self._event("subscribe"), "event")

    async def unfollow(self) -> int | None:
        """Stop following: ``unsubscribe``; the windows close."""
        self._need_follower("unfollow")
        self.follower = False
        self._server.windows_of(self.openid).close()
        return await self._post(self._event("unsubscribe"), None)

    async def scan(self, scene: str | int) -> int | None:
        """Scan a parametric code made by ``qrcode/create``: a ``subscribe`` event with
        ``EventKey=qrscene_<scene>`` for a new follower, ``SCAN`` with ``EventKey=<scene>``
        for a follower; both carry the code's ``Ticket``."""
        server = self._server
        code = server.qr_records.get(str(scene))
        if code is None:
            raise AssertionError(f"no code for scene {scene!r} was made with qrcode/create")
        if not code.alive(server.clock()):
            raise AssertionError(f"the temporary code for scene {scene!r} has expired")
        if self.follower:
            inner = self._event("SCAN", EventKey=code.scene, Ticket=code.ticket)
        else:
            self.follower = True
            inner = self._event("subscribe", EventKey=f"qrscene_{code.scene}", Ticket=code.ticket)
        return await self._post(inner, "event")

    async def say(self, text: str) -> int | None:
        """Send a text message (numeric 64-bit ``MsgId``)."""
        self._need_follower("write")
        server = self._server
        inner = text_message(server.original_id, self.openid, int(server.clock()), text)
        return await self._post(inner, "message")

    async def tap(self, option: str) -> int | None:
        """Tap an option of the newest msgmenu this resident received that has an option
        whose content (or id) is ``option``: a text message with ``Content`` = the option's
        content and ``bizmsgmenuid`` = its id."""
        self._need_follower("tap")
        for item in reversed(self.messages):
            if item.msgtype != "msgmenu":
                continue
            found = next((o for o in item.options if option in (o[1], o[0])), None)
            if found is not None:
                break
        else:
            raise AssertionError(f"{self.openid} never received a msgmenu with option {option!r}")
        option_id, content = found
        inner = self._fields(
            "text", Content=content, MsgId=new_callback_msgid(), bizmsgmenuid=option_id
        )
        return await self._post(inner, "message")

    async def send_image(self, data: bytes) -> int | None:
        """Send a picture: stored (``media/get`` serves it for 3 days, and at ``PicUrl``)."""
        self._need_follower("send a picture")
        server = self._server
        media = server.resident_media(self.openid, data, "image")
        pic_url = f"{server.base_url}/fake/pic/{media.media_id}"
        inner = self._fields(
            "image", PicUrl=pic_url, MediaId=media.media_id, MsgId=new_callback_msgid()
        )
        return await self._post(inner, "message")

    async def send_voice(self, data: bytes, audio_format: str = "amr") -> int | None:
        """Send a voice message (``MediaId``, ``Format``)."""
        self._need_follower("send a voice message")
        media = self._server.resident_media(self.openid, data, "voice")
        inner = self._fields(
            "voice", MediaId=media.media_id, Format=audio_format, MsgId=new_callback_msgid()
        )
        return await self._post(inner, "message")

    async def send_location(self, lat: float, lon: float, label: str = "") -> int | None:
        """Send a location (``Location_X`` = latitude, ``Location_Y`` = longitude)."""
        self._need_follower("send a location")
        inner = self._fields(
            "location",
            Location_X=lat,
            Location_Y=lon,
            Scale=15,
            Label=label,
            MsgId=new_callback_msgid(),
        )
        return await self._post(inner, "message")

    async def send_link(self, title: str, description: str, url: str) -> int | None:
        """Share a link (``Title``, ``Description``, ``Url``)."""
        self._need_follower("share a link")
        inner = self._fields(
            "link", Title=title, Description=description, Url=url, MsgId=new_callback_msgid()
        )
        return await self._post(inner, "message")

    async def click_menu(self, key: str) -> int | None:
        """Tap a ``click`` item of the account's current menu: ``CLICK`` event."""
        self._need_follower("use the menu")
        menu = self._server.menu
        if menu is None or key not in click_keys(menu):
            raise AssertionError(f"the account menu has no click item with key {key!r}")
        return await self._post(self._event("CLICK", EventKey=key), "event")

    async def report_location(self, lat: float, lon: float, precision: float = 65.0) -> int | None:
        """The periodic ``LOCATION`` event (opens no window)."""
        self._need_follower("report a location")
        inner = self._event("LOCATION", Latitude=lat, Longitude=lon, Precision=precision)
        return await self._post(inner, None)
