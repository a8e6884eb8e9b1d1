"""Answers to a question the bot asked (a reason, a reply, a note): the next text message."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.actor import Actor
from bot.errors import DomainError
from handlers.common import ack, drop_buttons
from handlers.issues import Context, IssueGlue

DONE = {
    "decline": "deputy.done_decline",
    "reject": "deputy.done_reject",
    "reply": "deputy.done_reply",
    "transfer": "deputy.done_transfer",
    "ask": "deputy.done_ask",
    "follow_up": "resident.sent_follow_up",
    "unsatisfied": "resident.thanks_reason",
}


class Prompts(IssueGlue):
    async def text(self, update: Update, context: Context) -> None:
        """Runs before everything else; takes the message only when a prompt is pending."""
        actor = await self.actor(update)
        if actor.awaiting is None:  # read with the person: no query for ordinary text
            return
        if await self.services.workflow.pending_prompt(actor) is None:
            return
        message = update.effective_message
        if message is None or message.text is None:
            await self.say(update, actor.lang, "prompt.expect_text")
            raise ApplicationHandlerStop
        await self._answer(update, actor, message.text)
        raise ApplicationHandlerStop

    async def skip(self, update: Update, context: Context) -> None:
        actor = await self.actor(update)
        if await self._answer(update, actor, None):
            await ack(update.callback_query)
            await drop_buttons(update.callback_query)

    async def _answer(self, update: Update, actor: Actor, text: str | None) -> bool:
        try:
            prompt, ctx = await self.services.workflow.answer_prompt(actor, text)
        except DomainError as exc:
            await self.refuse(update, actor.lang, exc)
            return False
        if prompt.kind == "unsatisfied" and text is None:
            await self.say(update, actor.lang, "cancel.done")
            return True
        department = ctx.department.name(actor.lang) if ctx.department else ""
        await self.say(
            update, actor.lang, DONE[prompt.kind], number=ctx.issue.id, department=department
        )
        return True
