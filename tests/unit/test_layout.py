"""The layers: the core stays platform-neutral, SQL lives in storage, imports go one way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sql_lives_in_storage_only() -> None:
    offenders = []
    for folder in ("bot", "handlers", "wecom", "wechat"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if any(
                word in text for word in ("SELECT ", "INSERT INTO", "UPDATE issues", "DELETE FROM")
            ):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# Who may import whom. The core (models, lifecycle, texts, views, messages…) knows nothing
# of services, storage or chat platforms; services and the conversation engine use the core
# and storage; storage knows the core's models only; the Telegram adapter goes through the
# services. Composition roots wire everything and may import anything.
COMPOSITION_ROOTS = {
    "bot/__main__.py",
    "bot/app.py",
    "bot/demo.py",
    "bot/tools_cli.py",
    "bot/services/__init__.py",
}
SERVICES = ("bot/services/", "bot/conversation/")
PLATFORMS = {"handlers", "telegram", "fakebot", "wecom", "wechatpy", "fakewecom", "wechat"}
FORBIDDEN = {
    "core": {"bot.services", "bot.conversation", "storage"} | PLATFORMS,
    "services": PLATFORMS,
    "storage": {"bot.services", "bot.conversation"} | PLATFORMS,
    # each adapter goes through the services, and knows no other platform
    "handlers": {"storage", "fakebot", "wecom", "wechat", "wechatpy", "fakewecom", "fakewechat"},
    "wecom": {"storage", "telegram", "handlers", "fakebot", "fakewecom", "wechat", "fakewechat"},
    "wechat": {"storage", "telegram", "handlers", "fakebot", "fakewecom", "fakewechat", "wecom"},
}


def _layer(relative: str) -> str | None:
    if relative in COMPOSITION_ROOTS:
        return None
    if relative.startswith(SERVICES):
        return "services"
    if relative.startswith("bot/"):
        return "core"
    if relative.startswith("storage/"):
        return "storage"
    if relative.startswith("handlers/"):
        return "handlers"
    if relative.startswith("wecom/"):
        return "wecom"
    if relative.startswith("wechat/"):
        return "wechat"
    return None


def _modules(path: Path) -> set[str]:
    """Every module imported, with its first two dotted parts (bot.services, telegram)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            found.add(parts[0])
            found.add(".".join(parts[:2]))
    return found


def test_imports_follow_the_layers() -> None:
    offenders = []
    for folder in ("bot", "storage", "handlers", "wecom", "wechat"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            layer = _layer(relative)
            if layer is None:
                continue
            wrong = sorted(_modules(path) & FORBIDDEN[layer])
            if wrong:
                offenders.append(f"{relative} ({layer}) imports {', '.join(wrong)}")
    assert offenders == []
