"""`python -m bot backup PATH` while a writer is busy: the copy is consistent and restorable."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from storage.db import Database
from tests.conftest import ROOT


async def test_backup_while_writing_is_consistent_and_restores(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    db = await Database.open(source)
    stop = asyncio.Event()
    warm = asyncio.Event()
    written = 0

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            async with db.transaction() as repos:
                # two rows per transaction: a torn copy would hold one without the other
                await repos.conn.execute(
                    "INSERT INTO settings_kv (key, value) VALUES (?, ?)", (f"a{written}", "x")
                )
                await repos.conn.execute(
                    "INSERT INTO settings_kv (key, value) VALUES (?, ?)", (f"b{written}", "y")
                )
            written += 1
            if written >= 200:
                warm.set()
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    try:
        await warm.wait()
        copy = tmp_path / "backup" / "copy.db"
        env = {**os.environ, "LIAISON_DB": str(source)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "backup", str(copy), env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await proc.communicate()
        assert proc.returncode == 0, out.decode()
        assert written > 200, "the writer stopped during the backup"
    finally:
        stop.set()
        await task
    await db.close()

    restored = await Database.open(copy)
    try:
        assert await restored.integrity_check() == "ok"
        async with (
            restored.read() as repos,
            repos.conn.execute("SELECT key FROM settings_kv") as cur,
        ):
            keys = {row[0] for row in await cur.fetchall()}
        pairs = {k[1:] for k in keys}
        assert len(keys) >= 400, f"the copy lost rows: {len(keys)}"
        assert keys == {f"{p}{n}" for n in pairs for p in "ab"}, "a transaction was torn"
        assert len(pairs) <= written
    finally:
        await restored.close()
