"""The baseline: a bare python-telegram-bot echo bot with default Application settings."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "?")


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["LIAISON_BOT_TOKEN"])
        .base_url(os.environ["LIAISON_API_BASE_URL"])
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.run_polling(poll_interval=0, timeout=10)


if __name__ == "__main__":
    main()
