"""Command-line staff tools: `python -m bot stats|export|qr|invite|suggestion` (wired from
bot/__main__.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.config import Settings
from bot.errors import NotFound
from bot.models import Figures, Lang

COMMANDS = ("stats", "export", "qr", "invite", "suggestion")


def add_parsers(sub: Any) -> None:
    stats = sub.add_parser("stats", help="figures of a station or the city (as /stats)")
    stats.add_argument("--station", metavar="KEY", help="one station (default: the city)")
    stats.add_argument("--since", metavar="YYYY-MM-DD", help="start date (default: this month)")
    stats.add_argument("--lang", choices=["zh", "en"], default="zh")
    export = sub.add_parser("export", help="issues as a CSV or XLSX file")
    export.add_argument("--format", choices=["csv", "xlsx"], required=True)
    export.add_argument("--out", type=Path, required=True, metavar="PATH")
    export.add_argument("--station", metavar="KEY", help="one station (default: all)")
    export.add_argument("--since", metavar="YYYY-MM-DD", help="issues created since that day")
    export.add_argument(
        "--with-contacts", action="store_true", help="include residents' names and phone numbers"
    )
    export.add_argument(
        "--lang",
        choices=["zh", "en"],
        default="zh",
        help="language of the header, states, ratings, categories and departments",
    )
    qr = sub.add_parser("qr", help="one printable QR poster (PNG) per station")
    qr.add_argument("--out", type=Path, required=True, metavar="DIR")
    qr.add_argument("--bot-username", help="default: asked from Telegram (getMe) with the token")
    qr.add_argument(
        "--wechat",
        action="store_true",
        help="the WeChat service account's parametric codes (scene st_<key>), made through "
        "its API (needs the LIAISON_WECHAT_* settings)",
    )
    qr.add_argument("--lang", choices=["zh", "en"], default="zh", help="the posters' language")
    invite = sub.add_parser(
        "invite",
        help="a one-time invite for a department's liaison (deputies and staff: /invite)",
    )
    invite.add_argument("person", metavar="PERSON_KEY", help="the liaison's key in the seed")
    invite.add_argument(
        "--department", metavar="KEY", help="needed when they are a liaison of several"
    )
    invite.add_argument("--bot-username", help="for the Telegram link (default: getMe)")
    suggestion = sub.add_parser("suggestion", help="a deputy's suggestion (代表建议) as DOCX")
    suggestion.add_argument("number", type=int, metavar="NUMBER", help="the suggestion's number")
    suggestion.add_argument("--docx", type=Path, required=True, metavar="PATH")
    suggestion.add_argument("--lang", choices=["zh", "en"], default="zh")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Database

    if not settings.db.exists():
        print(f"LIAISON_DB: {settings.db} does not exist", file=sys.stderr)
        return 1
    username = ""
    if args.command == "qr" and args.wechat and not settings.wechat:
        print("qr --wechat: set the LIAISON_WECHAT_* settings", file=sys.stderr)
        return 2
    if args.command == "qr" and not args.wechat:
        username = args.bot_username or await bot_username(settings) or ""
        if not username:
            print(
                "qr: give --bot-username, or set LIAISON_BOT_TOKEN to ask Telegram",
                file=sys.stderr,
            )
            return 2
    if args.command == "invite":
        username = args.bot_username or await bot_username(settings) or ""
    db = await Database.open(settings.db)
    try:
        if args.command == "invite":
            return await _invite(settings, db, args, username)
        if args.command == "stats":
            return await _stats(settings, db, args)
        if args.command == "suggestion":
            return await _suggestion(settings, db, args)
        if args.command == "export":
            return await _export(settings, db, args)
        if args.wechat:
            return await _qr_wechat(settings, db, args.out, Lang(args.lang))
        return await _qr(db, args.out, username, Lang(args.lang))
    except NotFound as exc:
        print(f"--station: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"--since: {exc} (use YYYY-MM-DD)", file=sys.stderr)
        return 2
    finally:
        await db.close()


async def _stats(settings: Settings, db: Any, args: argparse.Namespace) -> int:
    from bot.services.stats import StatsService, since_date

    service = StatsService(db, SystemClock(), settings)
    scope = await service.station_ids(args.station)
    since = since_date(args.since, settings.zone) if args.since else service.period().since
    figures = await service.figures(scope, since)
    for line in stats_text(figures, Lang(args.lang), settings.zone):
        print(line)
    return 0


def stats_text(figures: Figures, lang: Lang, zone: ZoneInfo) -> list[str]:
    """The /stats lines for a terminal: the chat's HTML as plain text (no tags, entities
    unescaped)."""
    from bot.plaintext import plain_text
    from bot.services.stats import report_lines
    from bot.texts import t

    return [plain_text(line) for line in report_lines(figures, lang, zone, t)]


async def _suggestion(settings: Settings, db: Any, args: argparse.Namespace) -> int:
    from bot.services.suggestions import SuggestionService
    from bot.suggestion_docx import render_docx
    from bot.views.suggestions import paper

    try:
        dossier = await SuggestionService(db, SystemClock(), settings).document(args.number)
    except NotFound:
        print(f"suggestion: there is no suggestion {args.number}", file=sys.stderr)
        return 1
    data = render_docx(paper(Lang(args.lang), dossier, settings.zone))
    args.docx.parent.mkdir(parents=True, exist_ok=True)
    args.docx.write_bytes(data)
    title = dossier.suggestion.title
    print(
        f"suggestion {args.number} ({title}, {len(dossier.issues)} issues) written to {args.docx}"
    )
    return 0


async def _export(settings: Settings, db: Any, args: argparse.Namespace) -> int:
    from bot.services.exports import ExportService
    from bot.services.stats import StatsService, since_date

    scope = await StatsService(db, SystemClock(), settings).station_ids(args.station)
    since = since_date(args.since, settings.zone) if args.since else 0
    service = ExportService(db, SystemClock(), settings)
    _name, data, count = await service.build(
        args.format, scope, since, args.with_contacts, Lang(args.lang)
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"{count} issues written to {args.out}")
    return 0


async def _invite(settings: Settings, db: Any, args: argparse.Namespace, username: str) -> int:
    from bot.services.invites import INVITE_TTL, InviteService

    service = InviteService(db, SystemClock(), settings)
    try:
        person, department, token = await service.create_liaison(args.person, args.department)
    except NotFound as exc:
        print(f"invite: {exc}", file=sys.stderr)
        return 1
    days = INVITE_TTL // 86400
    print(f"invite for {person.name}, liaison of {department.name_zh} (single use, {days} days):")
    if username:
        print(f"  Telegram: https://t.me/{username.lstrip('@')}?start=inv_{token}")
    print(f"  WeCom: send inv_{token} to the app")
    return 0


async def _qr(db: Any, out: Path, username: str, lang: Lang) -> int:
    from bot.posters import write_posters

    async with db.read() as repos:
        stations = [(s, await repos.stations.reception(s.id)) for s in await repos.stations.all()]
    paths = await asyncio.to_thread(write_posters, out, stations, username, None, lang)
    print(f"{len(paths)} posters written to {out} (bot @{username.lstrip('@')})")
    return 0


async def _qr_wechat(settings: Settings, db: Any, out: Path, lang: Lang) -> int:
    from bot.ports import DeliveryError
    from bot.posters import write_posters
    from wechat.client import WeChatClient

    assert settings.wechat_app_id is not None and settings.wechat_secret is not None
    async with db.read() as repos:
        stations = [(s, await repos.stations.reception(s.id)) for s in await repos.stations.all()]
    client = WeChatClient(
        settings.wechat_api_base_url,
        settings.wechat_app_id,
        settings.wechat_secret.get_secret_value(),
        SystemClock().now,
    )
    links: dict[str, str] = {}
    try:
        for station, _slots in stations:
            links[station.key] = await client.create_qr(f"st_{station.key}")
    except DeliveryError as exc:
        print(f"qr --wechat: the service account refused: {exc}", file=sys.stderr)
        return 1
    finally:
        await client.close()
    paths = await asyncio.to_thread(write_posters, out, stations, "", links, lang)
    print(f"{len(paths)} posters written to {out} (WeChat service account codes)")
    return 0


async def bot_username(settings: Settings) -> str | None:
    """The bot's username from getMe (plain HTTP: bot/ stays free of python-telegram-bot)."""
    import aiohttp

    if settings.bot_token is None:
        return None
    url = f"{settings.api_base_url}{settings.bot_token.get_secret_value()}/getMe"
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(url, timeout=aiohttp.ClientTimeout(total=20)) as response,
        ):
            data = await response.json()
    except (aiohttp.ClientError, TimeoutError) as exc:
        print(f"qr: getMe failed ({type(exc).__name__}); give --bot-username", file=sys.stderr)
        return None
    if not data.get("ok"):
        print(f"qr: getMe failed: {data.get('description')}", file=sys.stderr)
        return None
    return str(data["result"]["username"])
