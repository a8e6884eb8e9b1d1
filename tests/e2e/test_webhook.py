"""With LIAISON_WEBHOOK_URL set, `run` registers the webhook with its secret and takes
updates Telegram posts to it, instead of long polling."""

from __future__ import annotations

import socket
from pathlib import Path

from bot.app import LiaisonBot, webhook_secret
from bot.clock import SystemClock
from fakebot import FakeBotApi
from tests.e2e.conftest import CITY, TOKEN, world_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_mode_answers_updates_posted_to_it(tmp_path: Path) -> None:
    seed = tmp_path / "city.yaml"
    seed.write_text(CITY, encoding="utf-8")
    port = _free_port()
    async with FakeBotApi(token=TOKEN) as api:
        settings = world_settings(
            tmp_path,
            api,
            seed,
            LIAISON_WEBHOOK_URL="https://liaison.example.org/telegram/hook",
            LIAISON_WEBHOOK_LISTEN="127.0.0.1",
            LIAISON_WEBHOOK_PORT=str(port),
        )
        bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
        await bot.start()
        try:
            assert api.webhook_url == "https://liaison.example.org/telegram/hook"
            assert api.webhook_secret == webhook_secret(TOKEN)
            # what the TLS proxy in front of the bot would do:
            api.webhook_target = f"http://127.0.0.1:{port}/telegram/hook"
            alice = api.user(1, "Alice")
            await alice.send("/start st_south")
            await alice.wait_for("已为您绑定联络站")
            assert api.calls_to("getUpdates") == []
        finally:
            await bot.stop()
        assert api.violations == []


async def test_updates_without_the_secret_are_refused(tmp_path: Path) -> None:
    import aiohttp

    seed = tmp_path / "city.yaml"
    seed.write_text(CITY, encoding="utf-8")
    port = _free_port()
    async with FakeBotApi(token=TOKEN) as api:
        settings = world_settings(
            tmp_path,
            api,
            seed,
            LIAISON_WEBHOOK_URL="https://liaison.example.org/hook",
            LIAISON_WEBHOOK_PORT=str(port),
        )
        bot = LiaisonBot(settings, SystemClock(), poll_timeout=1)
        await bot.start()
        try:
            forged = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "text": "/start",
                    "chat": {"id": 5, "type": "private"},
                    "from": {"id": 5, "is_bot": False, "first_name": "x"},
                },
            }
            async with (
                aiohttp.ClientSession() as session,
                session.post(f"http://127.0.0.1:{port}/hook", json=forged) as resp,
            ):
                assert resp.status == 403
        finally:
            await bot.stop()
        assert api.calls_to("sendMessage") == []
