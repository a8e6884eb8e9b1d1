"""Load a validated seed file into the database: an idempotent upsert keyed by `key`."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.seed import SeedFile, SeedPerson
from storage.people import Binding
from storage.repos import Repos


@dataclass
class SeedReport:
    """What a load changed (all zero when the database already matched the file), and the
    accounts the seed took from another person (`conflicts`: one line each, keys only)."""

    changed: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)

    def bump(self, what: str, changed: bool | int = True) -> None:
        self.changed[what] = self.changed.get(what, 0) + int(changed)

    def conflict(self, line: str) -> None:
        self.conflicts.append(line)
        self.bump("conflicts")

    @property
    def total(self) -> int:
        return sum(self.changed.values())


async def _claim_accounts(repos: Repos, report: SeedReport, key: str, person: SeedPerson) -> None:
    """The seed gives `key` a Telegram or WeCom account the database has bound to another
    seeded person (an invite or a phone binding made it theirs, or the seed did before):
    the seed is the operator's word, so the account goes to `key` and the other person is
    unbound, and the load says so instead of failing on the unique account."""
    accounts: list[tuple[Binding, int | str | None]] = [
        ("telegram_id", person.telegram_id),
        ("wecom_userid", person.wecom_userid),
    ]
    for column, value in accounts:
        if value is None:
            continue
        holder = await repos.people.bound_to(column, value)
        if holder is None or holder.key is None or holder.key == key:
            continue  # free, a resident's row (adopted or cleared as ever), or theirs already
        await repos.people.unbind(holder.id, column)
        report.conflict(
            f'{column} of "{key}" was bound to "{holder.key}": the seed gives it to "{key}", '
            f'"{holder.key}" is unbound'
        )


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
            urgent=int(cat.urgent),
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
        await _claim_accounts(repos, report, key, person)
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
