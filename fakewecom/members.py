"""Simulated corp members: what the app sent them (cards in their current state) and what
they do (messages, presses, menu clicks), posted to the bot as encrypted callbacks."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fakewecom.callbacks import new_callback_msgid, text_message
from fakewecom.menu import click_keys
from fakewecom.messaging import new_response_code
from fakewecom.models import CallbackRequest, Received
from fakewecom.state import ResponseCode

if TYPE_CHECKING:
    from fakewecom.server import FakeWeCom


class FakeMember:
    """A member of the fake corp, in the app's visible range unless :meth:`leave` was called."""

    def __init__(self, server: FakeWeCom, userid: str, name: str) -> None:
        self._server = server
        self.userid = userid
        self.name = name
        self.visible = True
        self.messages: list[Received] = []
        self.deliveries: list[CallbackRequest] = []
        self._cursor = 0
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"FakeMember({self.userid!r}, {self.name!r})"

    # ------------------------------------------------------------------ membership

    def leave(self) -> None:
        """Leave the app's visible range: sends to this member go to ``invaliduser``."""
        self.visible = False

    def rejoin(self) -> None:
        self.visible = True

    # ------------------------------------------------------------------ what the app sent

    def deliver(self, item: Received) -> None:
        self.messages.append(item)
        self._notify()

    def apply_update(
        self, msgid: str, replace_name: str | None, card: dict[str, Any] | None
    ) -> None:
        """Change this member's copy of the card sent as ``msgid``."""
        for item in self.messages:
            if item.msgid == msgid and item.card is not None:
                if card is not None:
                    item.card = copy.deepcopy(card)
                    item.replace_name = None
                else:
                    item.replace_name = replace_name
                item.updates += 1
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def last(self) -> Received | None:
        """The newest message, or None."""
        return self.messages[-1] if self.messages else None

    def cards(self) -> list[Received]:
        """The template cards received, oldest first, in their current state."""
        return [m for m in self.messages if m.card is not None]

    def card(self, task_id: str) -> Received:
        """The card with this task_id (AssertionError if there is none)."""
        for item in reversed(self.messages):
            if item.task_id == task_id and item.card is not None:
                return item
        raise AssertionError(f"{self.userid} has no card with task_id {task_id!r}")

    async def _wait(self, ready: Callable[[], bool], timeout: float, what: str) -> None:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                while not ready():
                    await self._changed.wait()
        except TimeoutError:
            recent = "\n".join(f"  {m.msgtype}: {m.text[:200]!r}" for m in self.messages[-10:])
            raise AssertionError(
                f"{what} for {self.userid} within {timeout}s; recent messages:\n{recent or '  (none)'}"
            ) from None

    async def next_message(self, timeout: float = 5.0) -> Received:  # noqa: ASYNC109
        """The next message not yet returned by ``next_message``/``wait_for``."""
        await self._wait(lambda: self._cursor < len(self.messages), timeout, "no new message")
        item = self.messages[self._cursor]
        self._cursor += 1
        return item

    async def wait_for(self, text: str, timeout: float = 5.0) -> Received:  # noqa: ASYNC109
        """The next message after the cursor whose readable text (content, card titles,
        sub title, buttons, news titles) contains ``text``; earlier ones are skipped."""

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
        """The newest message whose *current* text contains ``text`` (card updates count);
        the cursor does not move."""

        def find() -> Received | None:
            return next((m for m in reversed(self.messages) if text in m.text), None)

        await self._wait(lambda: find() is not None, timeout, f"no message showing {text!r}")
        found = find()
        assert found is not None
        return found

    # ------------------------------------------------------------------ acting

    @property
    def last_delivery(self) -> CallbackRequest | None:
        """The newest callback this member caused (with its attempts and passive reply)."""
        return self.deliveries[-1] if self.deliveries else None

    def _fields(self, msgtype: str, **fields: Any) -> dict[str, Any]:
        server = self._server
        return {
            "ToUserName": server.corp_id,
            "FromUserName": self.userid,
            "CreateTime": int(server.clock()),
            "MsgType": msgtype,
            **fields,
            "AgentID": server.agent_id,
        }

    async def _post(self, inner: dict[str, Any], card_msgid: str | None = None) -> int | None:
        request = await self._server._callbacks.deliver(self.userid, inner, card_msgid=card_msgid)
        self.deliveries.append(request)
        return request.status

    async def say(self, text: str) -> int | None:
        """Send a text message; returns the bot's final HTTP status (None: no answer)."""
        server = self._server
        inner = text_message(
            server.corp_id, self.userid, int(server.clock()), text, server.agent_id
        )
        return await self._post(inner)

    async def send_image(self, data: bytes) -> int | None:
        """Send a picture: the media is stored (media/get serves it for 3 days)."""
        media = self._server.member_media(self.userid, data)
        pic_url = f"{self._server.base_url}/fake/pic/{media.media_id}"
        inner = self._fields(
            "image", PicUrl=pic_url, MediaId=media.media_id, MsgId=new_callback_msgid()
        )
        return await self._post(inner)

    async def send_location(self, lat: float, lon: float, label: str = "") -> int | None:
        """Send a location (Location_X = latitude, Location_Y = longitude)."""
        inner = self._fields(
            "location",
            Location_X=lat,
            Location_Y=lon,
            Scale=15,
            Label=label,
            MsgId=new_callback_msgid(),
        )
        return await self._post(inner)

    async def press(self, card: Received | str, button: str) -> int | None:
        """Press the callback button (by text or key) of a button_interaction card (a
        :class:`Received` or a task_id). A fresh ResponseCode is registered for this member's
        copy of the card; an ``update_button`` passive reply greys it."""
        item = card if isinstance(card, Received) else self.card(card)
        if not any(m is item for m in self.messages) or item.card is None or item.msgid is None:
            raise AssertionError(f"{self.userid} did not receive that card")
        if item.card_type != "button_interaction":
            raise AssertionError(
                f"the fake presses buttons of button_interaction cards, not {item.card_type}"
            )
        if item.replace_name is not None:
            raise AssertionError(f"the card's buttons were replaced by {item.replace_name!r}")
        found = next((b for b in item.buttons if button in (b.get("text"), b.get("key"))), None)
        if found is None:
            raise AssertionError(f"no button {button!r} on the card; buttons: {item.labels}")
        if found.get("type", 0) != 0:
            raise AssertionError(f"button {button!r} opens a URL; it sends no callback")
        server = self._server
        code = new_response_code()
        server.response_codes[code] = ResponseCode(
            code,
            item.msgid,
            item.task_id,
            "button_interaction",
            (self.userid.lower(),),
            server.clock(),
            "event",
        )
        inner = self._fields(
            "event",
            Event="template_card_event",
            EventKey=str(found["key"]),
            TaskId=item.task_id or "",
            CardType="button_interaction",
            ResponseCode=code,
        )
        return await self._post(inner, card_msgid=item.msgid)

    async def press_foreign(self, card: Received, button: str) -> int | None:
        """A forgery WeCom itself would sign: this member's client sends a press of a card
        another member received (its task id and button key learned somehow). The code it
        carries updates nothing. Returns the bot's HTTP status."""
        found = next((b for b in card.buttons if button in (b.get("text"), b.get("key"))), None)
        if found is None or card.task_id is None:
            raise AssertionError(f"no button {button!r} on that card; buttons: {card.labels}")
        inner = self._fields(
            "event",
            Event="template_card_event",
            EventKey=str(found["key"]),
            TaskId=card.task_id,
            CardType="button_interaction",
            ResponseCode=new_response_code(),
        )
        return await self._post(inner)

    async def click_menu(self, key: str) -> int | None:
        """Tap a ``click`` menu item of the app's current menu."""
        menu = self._server.menu
        if menu is None or key not in click_keys(menu):
            raise AssertionError(f"the app menu has no click item with key {key!r}")
        return await self._post(self._fields("event", Event="click", EventKey=key))

    async def enter_agent(self) -> int | None:
        """Open the app (the ``enter_agent`` event)."""
        return await self._post(self._fields("event", Event="enter_agent", EventKey=""))
