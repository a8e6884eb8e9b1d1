"""Command line: `python -m bot run|demo|seed|backup` (also installed as `liaison-bot`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from bot import tools_cli
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging
from bot.seed import SeedError, read_seed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="联络站助手 · Liaison Station Bot"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run", help="run the bot (Telegram, WeCom and/or WeChat: at least one configured)"
    )
    demo = sub.add_parser("demo", help="offline demo: fake Bot API, demo seed, printed transcript")
    demo.add_argument(
        "--lang", choices=["zh", "en"], default="zh", help="language of the played users"
    )
    demo.add_argument(
        "--wecom",
        action="store_true",
        help="only the mixed-platform loop: deputy in WeCom, residents on Telegram and WeChat",
    )
    seed = sub.add_parser("seed", help="validate and load a seed file")
    seed.add_argument("file", type=Path)
    seed.add_argument("--check", action="store_true", help="validate only; write nothing")
    backup = sub.add_parser("backup", help="consistent online copy of the database")
    backup.add_argument("path", type=Path)
    tools_cli.add_parsers(sub)  # stats, export, qr, invite, suggestion
    return parser


def _event_loop_run(main: Coroutine[Any, Any, int]) -> int:
    """`run` on uvloop where it exists (less CPU per update), else asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


async def _run(settings: Settings) -> int:
    from bot.app import LiaisonBot

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await LiaisonBot(settings, SystemClock()).run_until(stop)
    except Exception as exc:  # start-up failed: one line, a non-zero exit, no hanging
        print(f"start-up failed: {startup_failure(exc, settings)}", file=sys.stderr)
        return 1
    return 0


def startup_failure(exc: BaseException, settings: Settings) -> str:
    """What went wrong at start-up, in one line that never contains the token."""
    from telegram.error import InvalidToken, NetworkError

    if isinstance(exc, SeedError):
        first = exc.problems[0] if exc.problems else ""
        more = (
            f" (+{len(exc.problems) - 1} more; check with `seed --check`)"
            if len(exc.problems) > 1
            else ""
        )
        line = f"LIAISON_SEED: {settings.seed}: {first}{more}"
    elif isinstance(exc, InvalidToken):
        line = "LIAISON_BOT_TOKEN: the Bot API rejected the token"
    elif isinstance(exc, NetworkError):
        host = settings.api_base_url.split("/bot")[0]
        line = (
            f"LIAISON_API_BASE_URL: cannot reach the Bot API at {host} "
            f"(retried for {settings.startup_retry_seconds:.0f} s): {exc}"
        )
    else:
        line = f"{type(exc).__name__}: {exc}"
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    if token:
        line = line.replace(token, "<token>")
    return " ".join(line.split())


async def _seed(settings: Settings, file: Path, check: bool) -> int:
    from bot.services.seeding import seed_database
    from storage.db import Database

    try:
        seed = read_seed(file)
    except SeedError as exc:
        print(f"{file}: {len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    people = len(seed.people())
    summary = (
        f"{len(seed.categories)} categories, {len(seed.departments)} departments, "
        f"{len(seed.stations)} stations, {people} people, {len(seed.patrols)} patrols"
    )
    if check:
        print(f"{file}: valid ({summary})")
        return 0
    db = await Database.open(settings.db)
    try:
        report = await seed_database(db, file, SystemClock())
    finally:
        await db.close()
    changes = ", ".join(f"{k} {v}" for k, v in sorted(report.changed.items()) if v) or "none"
    print(f"{file}: loaded into {settings.db} ({summary}); changes: {changes}")
    return 0


async def _backup(settings: Settings, path: Path) -> int:
    from storage.db import Database

    if not settings.db.exists():
        print(f"LIAISON_DB: {settings.db} does not exist", file=sys.stderr)
        return 1
    db = await Database.open(settings.db)
    try:
        await db.backup(path)
    finally:
        await db.close()
    print(f"backup of {settings.db} written to {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    # python-telegram-bot 22: opt in to timedelta retry_after now (silences a deprecation).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level)
    if args.command == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(platforms_only=args.wecom))
    if args.command == "run":
        if not settings.any_platform:
            print(
                "configuration error: LIAISON_BOT_TOKEN (Telegram), the LIAISON_WECOM_* "
                "settings (WeCom) or the LIAISON_WECHAT_* settings (WeChat) are required for "
                "`run` "
                "(try `python -m bot demo` to see the bot offline)",
                file=sys.stderr,
            )
            return 2
        return _event_loop_run(_run(settings))
    if args.command == "seed":
        return asyncio.run(_seed(settings, args.file, args.check))
    if args.command == "backup":
        return asyncio.run(_backup(settings, args.path))
    if args.command in tools_cli.COMMANDS:
        return asyncio.run(tools_cli.run(settings, args))
    return 2


if __name__ == "__main__":
    sys.exit(main())
