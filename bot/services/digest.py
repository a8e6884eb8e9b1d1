"""The daily digest (LIAISON_DIGEST_AT, in LIAISON_TIMEZONE): each station's staff get what
is 🟡 (most of its time gone, LIAISON_YELLOW_AT) and 🔴 (overdue) at their station, the
units' tasks included; the admins get the city's totals by district. Once a day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial

from bot.models import Handover, Issue
from bot.scheduling import Tier, due_of, tier
from bot.services.base import Service
from bot.services.outbox import Notices, admins
from bot.views import digest as digest_views
from bot.views.digest import Line

LATE_START = timedelta(hours=4)  # a bot that was down at digest time still sends it till then


class DigestService(Service):
    async def send_due(self) -> int:
        """Send today's digest when its time has come and it was not sent yet; how many
        people it reached."""
        at = self.settings.digest_at
        if at is None:
            return 0
        now = self._now()
        zone = self.settings.zone
        local = datetime.fromtimestamp(now, zone)
        start = datetime.combine(local.date(), at, tzinfo=zone)
        if not start <= local < start + LATE_START:
            return 0
        day = local.date().isoformat()
        async with self.db.read() as repos:
            if await repos.digest.last_sent() == day:
                return 0
        return await self._send(now, day)

    async def _send(self, now: int, day: str) -> int:
        share = self.settings.yellow_at
        zone = self.settings.zone
        async with self.db.transaction() as repos:
            if not await repos.digest.mark_sent(day):
                return 0
            issues = await repos.digest.late_issues(now, share)
            handovers = await repos.digest.late_handovers(now, share)
            by_id = {i.id: i for i in issues}
            missing = sorted({h.issue_id for h in handovers} - set(by_id))
            by_id.update({i.id: i for i in await repos.issues.many(missing)})
            categories = {c.id: c for c in await repos.stations.all_categories()}
            departments = {d.id: d for d in await repos.stations.departments()}
            owners = {p.id: p for p in await repos.people.many(
                sorted({i.owner_id for i in by_id.values() if i.owner_id})
            )}  # fmt: skip
            lines: dict[int, list[Line]] = defaultdict(list)
            for issue in issues:
                mark = _tier_of_issue(issue, now, share)
                if mark is None:
                    continue
                owner = owners.get(issue.owner_id) if issue.owner_id else None
                lines[issue.station_id].append(
                    Line(
                        tier=mark,
                        number=issue.id,
                        what=categories[issue.category_id],
                        due=due_of(issue),
                        who=owner.name if owner else None,
                        unit=None,
                        state=issue.state.value,
                    )
                )
            for handover in handovers:
                mark = _tier_of_handover(handover, now, share)
                task = by_id.get(handover.issue_id)
                department = departments.get(handover.department_id)
                if mark is None or task is None or department is None:
                    continue
                lines[task.station_id].append(
                    Line(
                        tier=mark,
                        number=task.id,
                        what=categories[task.category_id],
                        due=handover.due,
                        who=None,
                        unit=department,
                        state=handover.state.value,
                    )
                )
            notices = Notices(repos, now)
            reached = 0
            totals: dict[str, dict[Tier, int]] = defaultdict(lambda: {Tier.YELLOW: 0, Tier.RED: 0})
            for station_id, station_lines in lines.items():
                station = await repos.stations.get(station_id)
                if station is None:
                    continue
                for line in station_lines:
                    totals[station.district][line.tier] += 1
                staff = [
                    p for p in await repos.people.of_station(station_id, "staff") if p.reachable
                ]
                reached += len(
                    await notices.send_all(
                        staff,
                        partial(
                            digest_views.station_digest,
                            station=station.name,
                            lines=station_lines,
                            zone=zone,
                        ),
                    )
                )
            if totals:
                reached += len(
                    await notices.send_all(
                        await admins(repos, self.settings.admin_telegram_ids),
                        partial(digest_views.city_digest, totals=dict(totals)),
                    )
                )
            return reached


def _tier_of_issue(issue: Issue, now: int, share: float) -> Tier | None:
    return tier(issue.created_at, due_of(issue), now, share)


def _tier_of_handover(handover: Handover, now: int, share: float) -> Tier | None:
    return tier(handover.sent_at, handover.due, now, share)
