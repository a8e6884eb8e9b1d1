"""Updates of different chats run concurrently; one chat's updates keep their order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from handlers.updates import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "u", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="x")
    return Update(update_id, message=message)


async def test_same_chat_in_order_other_chats_not_waiting() -> None:
    processor = PerChatUpdateProcessor(max_active=8)
    log: list[tuple[int, int]] = []
    slow_started = asyncio.Event()
    release = asyncio.Event()

    async def handle(chat: int, n: int, slow: bool = False) -> None:
        if slow:
            slow_started.set()
            await release.wait()
        log.append((chat, n))

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 100), handle(100, 1, slow=True))),
        asyncio.create_task(processor.process_update(_update(2, 100), handle(100, 2))),
        asyncio.create_task(processor.process_update(_update(3, 200), handle(200, 1))),
    ]
    await slow_started.wait()
    await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)
    # chat 200 was served while chat 100's first update is still running; 100/2 waits
    assert log == [(200, 1)]
    release.set()
    await asyncio.gather(*tasks)
    assert log == [(200, 1), (100, 1), (100, 2)]
    assert processor._chats == {}


async def test_a_flooding_chat_takes_one_slot_only() -> None:
    processor = PerChatUpdateProcessor(max_active=2)
    gate = asyncio.Event()
    served: list[int] = []

    async def flood(n: int) -> None:
        await gate.wait()
        served.append(n)

    async def other() -> None:
        served.append(-1)

    flooding = [
        asyncio.create_task(processor.process_update(_update(i, 7), flood(i))) for i in range(50)
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    await asyncio.wait_for(processor.process_update(_update(99, 8), other()), timeout=1)
    assert served == [-1]
    gate.set()
    await asyncio.gather(*flooding)
    assert served[1:] == list(range(50))
