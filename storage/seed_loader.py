"""Load a validated seed file into the database: an idempotent upsert keyed by `key`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.seed import SeedFile
from storage.repos import Repos


@dataclass
class SeedReport:
    """What a load changed (all zero when the database already matched the file)."""

    changed: dict[str, int] = field(default_factory=dict)

    def bump(self, what: str, changed: bool | int = True) -> None:
        self.changed[what] = self.changed.get(what, 0) + int(changed)

    @property
    def total(self) -> int:
        return sum(self.changed.values())


async def load_seed(repos: Repos, seed: SeedFile, now: int) -> SeedReport:
    """Upsert everything in `seed` (inside the caller's transaction)."""
    report = SeedReport()
    category_ids: dict[str, int] = {}
    for position, cat in enumerate(seed.categories):
        cid, changed = await repos.stations.upsert_category(
            cat.key,
            name_zh=cat.name.zh,
            name_en=cat.name.en,
            accept_within=cat.accept_within.seconds,
            accept_workdays=cat.accept_within.workdays,
            reply_within=cat.reply_within.seconds,
            reply_workdays=cat.reply_within.workdays,
            escalate_after=cat.escalate_after,
            position=position,
        )
        category_ids[cat.key] = cid
        report.bump("categories", changed)
    report.bump(
        "categories", await repos.stations.deactivate_missing("categories", set(category_ids))
    )

    department_ids: dict[str, int] = {}
    for position, dep in enumerate(seed.departments):
        did, changed = await repos.stations.upsert_department(
            dep.key,
            name_zh=dep.name.zh,
            name_en=dep.name.en,
            position=position,
            sign_within=dep.sign_within.seconds,
            sign_workdays=dep.sign_within.workdays,
            answer_within=dep.answer_within.seconds,
            answer_workdays=dep.answer_within.workdays,
        )
        department_ids[dep.key] = did
        report.bump("departments", changed)
    report.bump(
        "departments", await repos.stations.deactivate_missing("departments", set(department_ids))
    )

    station_ids: dict[str, int] = {}
    for st in seed.stations:
        sid, changed = await repos.stations.upsert_station(
            st.key,
            name=st.name,
            district=st.district,
            address=st.address,
            lat=st.location.lat if st.location else None,
            lon=st.location.lon if st.location else None,
        )
        station_ids[st.key] = sid
        report.bump("stations", changed)
        slots = [(r.weekday, f"{r.start:%H:%M}", f"{r.end:%H:%M}") for r in st.reception]
        report.bump("reception", await repos.stations.replace_reception(sid, slots))
    report.bump("stations", await repos.stations.deactivate_missing("stations", set(station_ids)))

    admin_keys = {a.key for a in seed.admins}
    person_ids: dict[str, int] = {}
    for key, person in seed.people().items():
        pid, changed = await repos.people.upsert_seeded(
            key,
            person.name,
            person.level,
            person.telegram_id,
            person.phone,
            key in admin_keys,
            now,
        )
        if person.wecom_userid is not None:
            changed = await repos.people.seed_wecom(pid, person.wecom_userid) or changed
        person_ids[key] = pid
        report.bump("people", changed)
    report.bump("admins", await repos.people.clear_admins_except(admin_keys))

    wanted: set[tuple[int, int, str]] = set()
    for st in seed.stations:
        for deputy in st.deputies:
            wanted.add((person_ids[deputy.key], station_ids[st.key], "deputy"))
        for staff in st.staff:
            wanted.add((person_ids[staff.key], station_ids[st.key], "staff"))
    report.bump("memberships", await repos.people.sync_seed_memberships(wanted))
    liaisons = {
        (department_ids[dep.key], person_ids[person.key])
        for dep in seed.departments
        for person in dep.liaisons
    }
    report.bump("liaisons", await repos.people.sync_seed_liaisons(liaisons))
    report.bump("calendar", await repos.calendar.replace(seed.calendar.days()))

    for patrol in seed.patrols:
        _, changed = await repos.stations.upsert_patrol(
            patrol.key,
            station_id=station_ids[patrol.station],
            name_zh=patrol.name.zh,
            name_en=patrol.name.en,
            schedule=patrol.schedule,
            category_id=category_ids[patrol.category] if patrol.category else None,
            items=[{"zh": i.zh, "en": i.en} for i in patrol.items],
        )
        report.bump("patrols", changed)
    report.bump(
        "patrols", await repos.stations.deactivate_missing("patrols", {p.key for p in seed.patrols})
    )
    return report
