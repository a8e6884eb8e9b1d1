"""People: residents, deputies, staff, liaisons, admins, their station memberships and the
departments they are liaisons of."""

from __future__ import annotations

import json
from typing import Literal

from bot.models import Awaiting, Channel, Identity, Lang, Pending, Person, Step
from storage._base import Repo

_COLS = (
    "id, key, name, level, telegram_id, phone, tg_language, lang, is_admin, started_at, "
    "blocked_at, station_id, wecom_userid, wecom_gone_at, last_channel, channel_pref, "
    "wechat_openid, wechat_gone_at"
)


# the columns that bind a platform account to a person (one person per account)
Binding = Literal["telegram_id", "wecom_userid"]


def _person(row: object) -> Person:
    return Person.model_validate(dict(row))  # type: ignore[call-overload]


class PeopleRepo(Repo):
    async def get(self, person_id: int) -> Person | None:
        row = await self._one(f"SELECT {_COLS} FROM people WHERE id = ?", (person_id,))
        return _person(row) if row else None

    async def many(self, ids: list[int]) -> list[Person]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self._all(f"SELECT {_COLS} FROM people WHERE id IN ({marks})", ids)
        return [_person(r) for r in rows]

    async def by_telegram(self, telegram_id: int) -> Person | None:
        row = await self._one(f"SELECT {_COLS} FROM people WHERE telegram_id = ?", (telegram_id,))
        return _person(row) if row else None

    async def with_memberships(
        self,
        telegram_id: int | None = None,
        *,
        person_id: int | None = None,
        wecom_userid: str | None = None,
        wechat_openid: str | None = None,
    ) -> Identity | None:
        """A person, their (station, role) memberships, the departments they are a liaison
        of and the answer the bot is waiting for from them (a prompt's kind), in one
        statement: this runs for every update."""
        column: str
        value: int | str | None
        if person_id is not None:
            column, value = "id", person_id
        elif wecom_userid is not None:
            column, value = "wecom_userid", wecom_userid
        elif wechat_openid is not None:
            column, value = "wechat_openid", wechat_openid
        else:
            column, value = "telegram_id", telegram_id
        row = await self._one(
            f"SELECT {_COLS}, (SELECT group_concat(m.station_id || ':' || m.role) "
            "FROM memberships m WHERE m.person_id = people.id) AS memberships, "
            "(SELECT group_concat(l.department_id) FROM department_liaisons l "
            "WHERE l.person_id = people.id) AS departments, "
            "p.kind AS p_kind, p.last_seq AS p_last_seq, p.seq_at AS p_seq_at, p.step AS p_step, "
            "p.issue_id AS p_issue, p.ref AS p_ref, p.data AS p_data, p.version AS p_version, "
            "p.updated_at AS p_updated, p.seq_channel AS p_seq_channel "
            "FROM people LEFT JOIN pending p ON p.person_id = people.id "
            f"WHERE people.{column} = ?",
            (value,),
        )
        if row is None:
            return None
        data = dict(row)
        packed = data.pop("memberships") or ""
        departments = str(data.pop("departments") or "")
        waits = {k[2:]: data.pop(k) for k in list(data) if k.startswith("p_")}
        pending = None
        if waits["kind"] is not None:
            pending = Pending(
                person_id=data["id"],
                kind=Awaiting(waits["kind"]),
                step=Step(waits["step"]),
                issue_id=waits["issue"],
                ref=waits["ref"],
                data=json.loads(waits["data"]),
                version=waits["version"],
                last_seq=waits["last_seq"],
                seq_at=waits["seq_at"],
                seq_channel=Channel(waits["seq_channel"]),
                updated_at=waits["updated"],
            )
        pairs = [part.split(":", 1) for part in packed.split(",") if part]
        return Identity(
            person=Person.model_validate(data),
            memberships=[(int(s), r) for s, r in pairs],
            pending=pending,
            departments=sorted(int(d) for d in departments.split(",") if d),
        )

    async def by_wecom(self, userid: str) -> Person | None:
        row = await self._one(f"SELECT {_COLS} FROM people WHERE wecom_userid = ?", (userid,))
        return _person(row) if row else None

    async def wrote_from(self, person_id: int, channel: Channel) -> None:
        """They wrote from this platform: notices follow them there (unless they chose one),
        and a platform that had lost them has them back."""
        gone = {Channel.WECOM: ", wecom_gone_at = NULL", Channel.WECHAT: ", wechat_gone_at = NULL"}
        gone_column = gone.get(channel, "")
        await self._exec(
            f"UPDATE people SET last_channel = ?{gone_column} WHERE id = ?",
            (channel.value, person_id),
        )

    async def mark_wecom_gone(self, person_id: int, now: int) -> None:
        await self._exec(
            "UPDATE people SET wecom_gone_at = ? WHERE id = ? AND wecom_gone_at IS NULL",
            (now, person_id),
        )

    async def by_wechat(self, openid: str) -> Person | None:
        row = await self._one(f"SELECT {_COLS} FROM people WHERE wechat_openid = ?", (openid,))
        return _person(row) if row else None

    async def add_wechat(self, openid: str, name: str, now: int) -> Person:
        """A follower of the service account becomes a resident (WeChat gives no name)."""
        await self._exec(
            "INSERT INTO people (wechat_openid, name, started_at, created_at, last_channel) "
            "VALUES (?, ?, ?, ?, 'wechat') ON CONFLICT DO NOTHING",
            (openid, name, now, now),
        )
        person = await self.by_wechat(openid)
        assert person is not None
        return person

    async def mark_wechat_gone(self, person_id: int, now: int) -> None:
        await self._exec(
            "UPDATE people SET wechat_gone_at = ? WHERE id = ? AND wechat_gone_at IS NULL",
            (now, person_id),
        )

    async def set_channel_pref(self, person_id: int, channel: Channel | None) -> None:
        await self._exec(
            "UPDATE people SET channel_pref = ? WHERE id = ?",
            (channel.value if channel else None, person_id),
        )

    async def bind_wecom(self, person_id: int, userid: str) -> None:
        """Give a seeded person a WeCom member id (an invite redeemed on WeCom)."""
        await self._exec(
            "UPDATE people SET wecom_userid = NULL WHERE wecom_userid = ? AND id != ?",
            (userid, person_id),
        )
        await self._exec(
            "UPDATE people SET wecom_userid = ?, wecom_gone_at = NULL WHERE id = ?",
            (userid, person_id),
        )

    async def by_key(self, key: str) -> Person | None:
        row = await self._one(f"SELECT {_COLS} FROM people WHERE key = ?", (key,))
        return _person(row) if row else None

    async def by_phone(self, phone: str) -> list[Person]:
        rows = await self._all(
            f"SELECT {_COLS} FROM people WHERE phone = ? AND key IS NOT NULL", (phone,)
        )
        return [_person(r) for r in rows]

    async def touch(self, telegram_id: int, name: str, tg_language: str | None, now: int) -> Person:
        """The person behind a Telegram user, created as a resident on first contact.

        Writing to the bot also makes them reachable again if they had blocked it.
        Writes only when something changed (most updates come from known people).
        """
        known = await self.by_telegram(telegram_id)
        if (
            known is not None
            and known.blocked_at is None
            and known.tg_language == tg_language
            and (known.key is not None or known.name == name)
        ):
            return known
        await self._exec(
            "INSERT INTO people (telegram_id, name, tg_language, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(telegram_id) DO UPDATE SET "
            "  name = CASE WHEN people.key IS NULL THEN excluded.name ELSE people.name END, "
            "  tg_language = excluded.tg_language, blocked_at = NULL",
            (telegram_id, name, tg_language, now),
        )
        person = await self.by_telegram(telegram_id)
        assert person is not None
        return person

    async def mark_started(self, person_id: int, now: int) -> None:
        await self._exec(
            "UPDATE people SET started_at = COALESCE(started_at, ?), blocked_at = NULL "
            "WHERE id = ?",
            (now, person_id),
        )

    async def mark_blocked(self, telegram_id: int, now: int) -> None:
        await self._exec(
            "UPDATE people SET blocked_at = ? WHERE telegram_id = ? AND blocked_at IS NULL",
            (now, telegram_id),
        )

    async def set_lang(self, person_id: int, lang: Lang) -> None:
        await self._exec("UPDATE people SET lang = ? WHERE id = ?", (lang.value, person_id))

    async def set_station(self, person_id: int, station_id: int) -> None:
        await self._exec("UPDATE people SET station_id = ? WHERE id = ?", (station_id, person_id))

    async def bind_telegram(self, person_id: int, telegram_id: int, now: int) -> None:
        """Give a seeded person a Telegram account, merging the resident row it may have had."""
        other = await self.by_telegram(telegram_id)
        if other is not None and other.id != person_id:
            await self._exec("UPDATE people SET telegram_id = NULL WHERE id = ?", (other.id,))
            await self._exec(
                "UPDATE people SET tg_language = COALESCE(tg_language, ?), "
                "lang = COALESCE(lang, ?), station_id = COALESCE(station_id, ?) WHERE id = ?",
                (other.tg_language, other.lang, other.station_id, person_id),
            )
        await self._exec(
            "UPDATE people SET telegram_id = ?, started_at = COALESCE(started_at, ?) WHERE id = ?",
            (telegram_id, now, person_id),
        )

    # -- memberships -------------------------------------------------------------------
    async def memberships(self, person_id: int) -> list[tuple[int, str]]:
        rows = await self._all(
            "SELECT station_id, role FROM memberships WHERE person_id = ? ORDER BY station_id",
            (person_id,),
        )
        return [(int(r["station_id"]), str(r["role"])) for r in rows]

    async def has_role(self, person_id: int, station_id: int, role: str) -> bool:
        found = await self._scalar(
            "SELECT 1 FROM memberships WHERE person_id = ? AND station_id = ? AND role = ?",
            (person_id, station_id, role),
        )
        return found is not None

    async def of_station(self, station_id: int, role: str) -> list[Person]:
        rows = await self._all(
            f"SELECT {', '.join('p.' + c.strip() for c in _COLS.split(','))} "
            "FROM memberships m JOIN people p ON p.id = m.person_id "
            "WHERE m.station_id = ? AND m.role = ? ORDER BY p.id",
            (station_id, role),
        )
        return [_person(r) for r in rows]

    async def admins(self) -> list[Person]:
        rows = await self._all(f"SELECT {_COLS} FROM people WHERE is_admin = 1 ORDER BY id")
        return [_person(r) for r in rows]

    async def add_membership(self, person_id: int, station_id: int, role: str, source: str) -> None:
        await self._exec(
            "INSERT OR IGNORE INTO memberships (person_id, station_id, role, source) "
            "VALUES (?, ?, ?, ?)",
            (person_id, station_id, role, source),
        )

    # -- department liaisons ------------------------------------------------------------
    async def liaisons_of(self, department_id: int) -> list[Person]:
        rows = await self._all(
            f"SELECT {', '.join('p.' + c.strip() for c in _COLS.split(','))} "
            "FROM department_liaisons l JOIN people p ON p.id = l.person_id "
            "WHERE l.department_id = ? ORDER BY p.id",
            (department_id,),
        )
        return [_person(r) for r in rows]

    async def departments_of(self, person_id: int) -> list[int]:
        rows = await self._all(
            "SELECT department_id FROM department_liaisons WHERE person_id = ? "
            "ORDER BY department_id",
            (person_id,),
        )
        return [int(r[0]) for r in rows]

    async def add_liaison(self, department_id: int, person_id: int, source: str) -> None:
        await self._exec(
            "INSERT OR IGNORE INTO department_liaisons (department_id, person_id, source) "
            "VALUES (?, ?, ?)",
            (department_id, person_id, source),
        )

    async def sync_seed_liaisons(self, wanted: set[tuple[int, int]]) -> int:
        """Make the liaisons exactly the seed's (department id, person id) pairs; returns
        rows changed. The seed governs who acts for a unit: a row an invite made is kept
        only while the seed still lists that person for that department."""
        rows = await self._all("SELECT department_id, person_id FROM department_liaisons")
        have = {(int(r[0]), int(r[1])) for r in rows}
        for department_id, person_id in have - wanted:
            await self._exec(
                "DELETE FROM department_liaisons WHERE department_id = ? AND person_id = ?",
                (department_id, person_id),
            )
        for department_id, person_id in wanted - have:
            await self.add_liaison(department_id, person_id, "seed")
        return len(have ^ wanted)

    # -- seed ----------------------------------------------------------------------------
    async def bound_to(self, column: Binding, value: int | str) -> Person | None:
        """The person a Telegram or WeCom account is bound to, if any."""
        row = await self._one(f"SELECT {_COLS} FROM people WHERE {column} = ?", (value,))
        return _person(row) if row else None

    async def unbind(self, person_id: int, column: Binding) -> None:
        """Take a Telegram or WeCom account from a person (the seed gave it to another)."""
        await self._exec(f"UPDATE people SET {column} = NULL WHERE id = ?", (person_id,))

    async def seed_wecom(self, person_id: int, userid: str) -> bool:
        """The seed names this person's WeCom account (it governs); True when it changed."""
        current = await self._scalar("SELECT wecom_userid FROM people WHERE id = ?", (person_id,))
        if current == userid:
            return False
        await self.bind_wecom(person_id, userid)
        return True

    async def upsert_seeded(
        self,
        key: str,
        name: str,
        level: str | None,
        telegram_id: int | None,
        phone: str | None,
        is_admin: bool,
        now: int,
    ) -> tuple[int, bool]:
        """Insert or update a seeded person by key; returns (id, changed)."""
        existing = await self._one(
            "SELECT id, name, level, telegram_id, phone, is_admin FROM people WHERE key = ?",
            (key,),
        )
        if existing is None:
            if telegram_id is not None:
                resident = await self.by_telegram(telegram_id)
                if resident is not None and resident.key is None:
                    # They used the bot as a resident before the seed named them: adopt the row.
                    await self._exec(
                        "UPDATE people SET key = ?, name = ?, level = ?, phone = ?, is_admin = ? "
                        "WHERE id = ?",
                        (key, name, level, phone, int(is_admin), resident.id),
                    )
                    return resident.id, True
                if resident is not None:  # another seeded person's: the seed governs
                    await self.unbind(resident.id, "telegram_id")
            new_id = await self._exec(
                "INSERT INTO people (key, name, level, telegram_id, phone, is_admin, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, name, level, telegram_id, phone, int(is_admin), now),
            )
            return new_id, True
        person_id = int(existing["id"])
        wanted_tid = telegram_id if telegram_id is not None else existing["telegram_id"]
        same = (
            existing["name"] == name
            and existing["level"] == level
            and existing["telegram_id"] == wanted_tid
            and existing["phone"] == phone
            and bool(existing["is_admin"]) == is_admin
        )
        if same:
            return person_id, False
        if telegram_id is not None and existing["telegram_id"] != telegram_id:
            other = await self.by_telegram(telegram_id)
            if other is not None:  # a resident's row, or another seeded person's: the seed governs
                await self.unbind(other.id, "telegram_id")
        await self._exec(
            "UPDATE people SET name = ?, level = ?, telegram_id = ?, phone = ?, is_admin = ? "
            "WHERE id = ?",
            (name, level, wanted_tid, phone, int(is_admin), person_id),
        )
        return person_id, True

    async def sync_seed_memberships(self, wanted: set[tuple[int, int, str]]) -> int:
        """Make the memberships exactly `wanted`, whatever made them (the seed, or an invite
        redeemed before invites stopped adding any); returns rows changed. The seed governs
        who is a deputy or staff member of a station."""
        rows = await self._all("SELECT person_id, station_id, role, source FROM memberships")
        have = {(int(r[0]), int(r[1]), str(r[2])): str(r[3]) for r in rows}
        changed = 0
        for person_id, station_id, role in set(have) - wanted:
            await self._exec(
                "DELETE FROM memberships WHERE person_id=? AND station_id=? AND role=?",
                (person_id, station_id, role),
            )
            changed += 1
        for person_id, station_id, role in wanted:
            if have.get((person_id, station_id, role)) == "seed":
                continue
            changed += await self._changes(
                "INSERT INTO memberships (person_id, station_id, role, source) VALUES (?,?,?,'seed') "
                "ON CONFLICT(person_id, station_id, role) DO UPDATE SET source='seed'",
                (person_id, station_id, role),
            )
        return changed

    async def clear_admins_except(self, keys: set[str]) -> int:
        rows = await self._all("SELECT key FROM people WHERE is_admin = 1 AND key IS NOT NULL")
        gone = [str(r[0]) for r in rows if r[0] not in keys]
        for key in gone:
            await self._exec("UPDATE people SET is_admin = 0 WHERE key = ?", (key,))
        return len(gone)

    async def set_phone(self, person_id: int, phone: str) -> None:
        """The phone number a person shared from their own Telegram account."""
        await self._exec("UPDATE people SET phone = ? WHERE id = ?", (phone, person_id))
