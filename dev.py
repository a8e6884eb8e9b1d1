#!/usr/bin/env python3
"""Bootstrap: create and reuse ./.venv, then run the bot or the checks.

    python3 dev.py demo          # offline demo (no token, no network)
    python3 dev.py test          # everything CI runs: ruff, mypy, pytest
    python3 dev.py run|seed|export|backup|stats|qr ...   # any `python -m bot` command
    python3 dev.py bench         # benchmarks (not part of the tests)

Only python3 is needed; the virtual environment is created on first use and
re-synced whenever pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".liaison-installed"


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    """Create the venv if missing and install the project when pyproject.toml changed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    py = _venv_python()
    if not py.exists():
        print("· creating .venv (first run only)", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print("· installing dependencies into .venv", flush=True)
        subprocess.run(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-e",
                f"{ROOT}[dev]",
            ],
            check=True,
        )
        STAMP.write_text(wanted)
    return py


def _run(cmd: list[str]) -> int:
    shown = ["python", *cmd[1:]] if cmd[0].endswith("python") else cmd
    print("$", " ".join(shown), flush=True)
    return subprocess.run(cmd, cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    py = str(ensure_venv())
    command, rest = argv[0], argv[1:]
    if command == "test":
        steps = [
            [py, "-m", "ruff", "check", "."],
            [py, "-m", "ruff", "format", "--check", "."],
            [py, "-m", "mypy"],
            [py, "-m", "pytest", *rest],
        ]
        for step in steps:
            code = _run(step)
            if code != 0:
                return code
        return 0
    if command == "bench":
        return _run([py, "-m", "bench", *rest])
    return subprocess.run([py, "-m", "bot", command, *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
