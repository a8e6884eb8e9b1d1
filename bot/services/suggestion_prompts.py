"""The texts a 代表建议 waits for — a part of the draft, the office's 退回修改 reason, a unit's
答复, 协办意见 or reason for more time — asked, previewed (发送 / 修改 / 取消) and carried out
in the same transaction that clears what was awaited, as every prompt is (see prompts.py).

The pending row's `ref` is the suggestion; `data` holds what is written (`part`), the grade
of an answer and, once previewed, the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.actor import Actor
from bot.errors import NotAllowed, NotFound, WrongState
from bot.models import GRADES, Awaiting, Dossier, Pending, Step, SuggestionState
from bot.services.base import Service
from bot.services.prompts import LAPSE_SECONDS, StalePrompt
from bot.services.suggestions import PARTS, SuggestionService, check_part
from storage.repos import Repos

# what each part is checked against when written (the service checks it again when used)
KINDS = (*PARTS, "return", "answer", "opinion", "extend")
LIMIT_OF = {"return": "reasons", "answer": "proposal", "opinion": "proposal", "extend": "reasons"}


@dataclass(frozen=True)
class Written:
    status: Literal["asked", "preview", "done", "lapsed", "expired", "cancelled", "editing"]
    number: int
    part: str
    text: str = ""
    version: int = 0
    dossier: Dossier | None = None
    grade: str = ""


class SuggestionPrompts(Service):
    def __init__(self, suggestions: SuggestionService) -> None:
        super().__init__(suggestions.db, suggestions.clock, suggestions.settings)
        self.suggestions = suggestions

    async def _allowed(
        self, repos: Repos, actor: Actor, part: str, number: int, grade: str = ""
    ) -> Dossier:
        s = self.suggestions
        if part in PARTS:
            return await s.check_edit(repos, actor, number)
        if part == "return":
            return await s.check_office(repos, actor, number, SuggestionState.SUBMITTED)
        if part == "answer":
            if grade not in GRADES:
                raise NotFound("no such grade")
            dossier, _, _ = await s.check_unit(repos, actor, number, lead=True)
            return dossier
        if part == "opinion":
            dossier, _, _ = await s.check_unit(repos, actor, number, lead=False)
            return dossier
        if part == "extend":
            return await s.check_extension(repos, actor, number)
        raise NotFound("no such part")

    async def ask(
        self, actor: Actor, number: int, part: str, seq: int | None, grade: str = ""
    ) -> Written:
        async with self.db.transaction() as repos:
            dossier = await self._allowed(repos, actor, part, number, grade)
            data: dict[str, str | int | float | None] = {"part": part}
            if grade:
                data["grade"] = grade
            pending = await repos.pending.set(
                actor.id,
                Awaiting.SUGGESTION,
                Step.WRITE,
                self._now(),
                ref=number,
                data=data,
                seq=seq,
            )
            current = getattr(dossier.suggestion, part) if part in PARTS else ""
            return Written("asked", number, part, current, pending.version, dossier, grade)

    async def text(self, actor: Actor, pending: Pending, text: str, seq: int | None) -> Written:
        """The person's text: shown back with 发送 / 修改 / 取消."""
        number, part = pending.ref or 0, str(pending.data.get("part") or "")
        grade = str(pending.data.get("grade") or "")
        now = self._now()
        async with self.db.transaction() as repos:
            if now - pending.updated_at > LAPSE_SECONDS:
                await repos.pending.clear(actor.id, now, seq)
                return Written("expired", number, part)
            try:
                dossier = await self._allowed(repos, actor, part, number, grade)
            except (WrongState, NotAllowed, NotFound):
                await repos.pending.clear(actor.id, now, seq)
                return Written("lapsed", number, part, dossier=await self._maybe(repos, number))
            text = check_part(LIMIT_OF.get(part, part), text)
            saved = await repos.pending.set(
                actor.id,
                Awaiting.SUGGESTION,
                Step.PREVIEW,
                now,
                ref=number,
                data={**pending.data, "text": text},
                seq=seq,
            )
            return Written("preview", number, part, text, saved.version, dossier, grade)

    async def _maybe(self, repos: Repos, number: int) -> Dossier | None:
        try:
            return await self.suggestions.load(repos, number)
        except NotFound:
            return None

    async def _current(
        self, repos: Repos, actor: Actor, version: int, step: Step | None
    ) -> Pending:
        pending = await repos.pending.get(actor.id)
        if (
            pending.kind is not Awaiting.SUGGESTION
            or pending.version != version
            or (step is not None and pending.step is not step)
        ):
            raise StalePrompt("not awaited any more")
        return pending

    async def send(self, actor: Actor, version: int, seq: int | None) -> Written:
        """发送: carried out, and nothing is awaited any more, together."""
        now = self._now()
        async with self.db.transaction() as repos:
            pending = await self._current(repos, actor, version, Step.PREVIEW)
            number, part = pending.ref or 0, str(pending.data.get("part") or "")
            grade = str(pending.data.get("grade") or "")
            text = str(pending.data.get("text") or "")
            try:
                await self._allowed(repos, actor, part, number, grade)
            except (WrongState, NotAllowed, NotFound):
                await repos.pending.clear(actor.id, now, seq)
                return Written("lapsed", number, part, dossier=await self._maybe(repos, number))
            dossier = await self._carry_out(repos, actor, number, part, grade, text)
            await repos.pending.clear(actor.id, now, seq)
            return Written("done", number, part, text, dossier=dossier, grade=grade)

    async def _carry_out(
        self, repos: Repos, actor: Actor, number: int, part: str, grade: str, text: str
    ) -> Dossier:
        s = self.suggestions
        if part in PARTS:
            return await s.set_part(actor, number, part, text, within=repos)
        if part == "return":
            return await s.return_for_revision(actor, number, text, within=repos)
        if part == "answer":
            return await s.answer(actor, number, grade, text, within=repos)
        if part == "opinion":
            return await s.opinion(actor, number, text, within=repos)
        return await s.ask_extension(actor, number, text, within=repos)

    async def edit(self, actor: Actor, version: int, seq: int | None) -> Written:
        """修改: write it again (the text under review is shown for copying)."""
        async with self.db.transaction() as repos:
            pending = await self._current(repos, actor, version, Step.PREVIEW)
            kept = {k: v for k, v in pending.data.items() if k != "text"}
            saved = await repos.pending.set(
                actor.id,
                Awaiting.SUGGESTION,
                Step.WRITE,
                self._now(),
                ref=pending.ref,
                data=kept,
                seq=seq,
            )
            return Written(
                "editing",
                pending.ref or 0,
                str(pending.data.get("part") or ""),
                str(pending.data.get("text") or ""),
                saved.version,
            )

    async def cancel(self, actor: Actor, version: int, seq: int | None) -> Written:
        async with self.db.transaction() as repos:
            pending = await self._current(repos, actor, version, None)
            await repos.pending.clear(actor.id, self._now(), seq)
            return Written("cancelled", pending.ref or 0, str(pending.data.get("part") or ""))
