"""The core stays platform-neutral: nothing in bot/ but the wiring imports telegram."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {"bot/app.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_bot_core_never_imports_telegram() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "bot").rglob("*.py"))
        if str(p.relative_to(ROOT)) not in ALLOWED and "telegram" in _imports(p)
    ]
    assert offenders == []


def test_sql_lives_in_storage_only() -> None:
    offenders = []
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if any(
                word in text for word in ("SELECT ", "INSERT INTO", "UPDATE issues", "DELETE FROM")
            ):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
