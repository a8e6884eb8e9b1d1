"""Stations with their reception slots, categories, departments and patrol templates."""

from __future__ import annotations

import json
from typing import Any

import aiosqlite

from bot.models import Category, Department, Reception, Station
from storage._base import Repo
from storage.reference import Reference, ReferenceCache

_ST = "id, key, name, district, address, lat, lon"
_CAT = (
    "id, key, name_zh, name_en, accept_within, reply_within, escalate_after, accept_workdays, "
    "reply_workdays, urgent"
)
_DEP = "id, key, name_zh, name_en, sign_within, sign_workdays, answer_within, answer_workdays"


class StationRepo(Repo):
    def __init__(self, conn: aiosqlite.Connection, cache: ReferenceCache | None = None) -> None:
        super().__init__(conn)
        self._cache = cache
        self.wrote = False  # this transaction changed stations or categories

    async def reference(self) -> Reference:
        """Stations and categories from memory (loaded in two queries when needed).

        A transaction that changed them reads its own uncommitted rows, never the cache."""
        cache = None if self.wrote else self._cache
        if cache is not None and (value := cache.get()) is not None:
            return value
        generation = cache.generation if cache is not None else 0
        stations = await self._all(f"SELECT {_ST}, active FROM stations")
        categories = await self._all(f"SELECT {_CAT}, active FROM categories ORDER BY position, id")
        by_id = {int(r["id"]): Station.model_validate(dict(r)) for r in stations}
        cats = {int(r["id"]): Category.model_validate(dict(r)) for r in categories}
        value = Reference(
            stations=by_id,
            active_by_key={str(r["key"]): by_id[int(r["id"])] for r in stations if r["active"]},
            categories=cats,
            active_categories=[cats[int(r["id"])] for r in categories if r["active"]],
        )
        if cache is not None:
            cache.keep(value, generation)
        return value

    def _changed(self) -> None:
        self.wrote = True
        if self._cache is not None:
            self._cache.invalidate()

    async def get(self, station_id: int) -> Station | None:
        return (await self.reference()).stations.get(station_id)

    async def by_key(self, key: str) -> Station | None:
        return (await self.reference()).active_by_key.get(key)

    async def all(self) -> list[Station]:
        rows = await self._all(
            f"SELECT {_ST} FROM stations WHERE active = 1 ORDER BY district, name, id"
        )
        return [Station.model_validate(dict(r)) for r in rows]

    async def districts(self) -> list[tuple[str, int, int]]:
        """(district, one station id in it, number of stations), by name."""
        rows = await self._all(
            "SELECT district, MIN(id), COUNT(*) FROM stations WHERE active = 1 "
            "GROUP BY district ORDER BY district"
        )
        return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def in_district(self, district: str) -> list[Station]:
        rows = await self._all(
            f"SELECT {_ST} FROM stations WHERE active = 1 AND district = ? ORDER BY name, id",
            (district,),
        )
        return [Station.model_validate(dict(r)) for r in rows]

    async def reception(self, station_id: int) -> list[Reception]:
        rows = await self._all(
            "SELECT weekday, start, end FROM reception_slots WHERE station_id = ? "
            "ORDER BY weekday, start",
            (station_id,),
        )
        return [Reception.model_validate(dict(r)) for r in rows]

    # -- categories and departments ----------------------------------------------------
    async def categories(self) -> list[Category]:
        """The active categories, in menu order."""
        return list((await self.reference()).active_categories)

    async def all_categories(self) -> list[Category]:
        """Every category, also those a seed reload retired (old issues still use them)."""
        return list((await self.reference()).categories.values())

    async def category(self, category_id: int) -> Category | None:
        return (await self.reference()).categories.get(category_id)

    async def category_by_key(self, key: str) -> Category | None:
        return next((c for c in (await self.reference()).categories.values() if c.key == key), None)

    async def departments(self) -> list[Department]:
        rows = await self._all(
            f"SELECT {_DEP} FROM departments WHERE active = 1 ORDER BY position, id"
        )
        return [Department.model_validate(dict(r)) for r in rows]

    async def department(self, department_id: int) -> Department | None:
        row = await self._one(f"SELECT {_DEP} FROM departments WHERE id = ?", (department_id,))
        return Department.model_validate(dict(row)) if row else None

    # -- seed upserts: each returns (id, changed) --------------------------------------
    async def _upsert(self, table: str, key: str, values: dict[str, Any]) -> tuple[int, bool]:
        if table in {"stations", "categories"}:
            self._changed()
        cols = list(values)
        row = await self._one(f"SELECT id, {', '.join(cols)} FROM {table} WHERE key = ?", (key,))
        if row is None:
            marks = ", ".join("?" * (len(cols) + 1))
            new_id = await self._exec(
                f"INSERT INTO {table} (key, {', '.join(cols)}) VALUES ({marks})",
                (key, *values.values()),
            )
            return new_id, True
        if all(row[c] == v for c, v in values.items()):
            return int(row["id"]), False
        sets = ", ".join(f"{c} = ?" for c in cols)
        await self._exec(f"UPDATE {table} SET {sets} WHERE key = ?", (*values.values(), key))
        return int(row["id"]), True

    async def upsert_station(self, key: str, **values: Any) -> tuple[int, bool]:
        return await self._upsert("stations", key, {**values, "active": 1})

    async def upsert_category(self, key: str, **values: Any) -> tuple[int, bool]:
        return await self._upsert("categories", key, {**values, "active": 1})

    async def upsert_department(self, key: str, **values: Any) -> tuple[int, bool]:
        return await self._upsert("departments", key, {**values, "active": 1})

    async def upsert_patrol(self, key: str, **values: Any) -> tuple[int, bool]:
        values["items"] = json.dumps(values["items"], ensure_ascii=False)
        return await self._upsert("patrols", key, {**values, "active": 1})

    async def deactivate_missing(self, table: str, keys: set[str]) -> int:
        """Seed reload: what the file no longer names is hidden, not deleted (issues refer to it)."""
        assert table in {"stations", "categories", "departments", "patrols"}
        if table in {"stations", "categories"}:
            self._changed()
        rows = await self._all(f"SELECT key FROM {table} WHERE active = 1")
        gone = [str(r[0]) for r in rows if r[0] not in keys]
        for key in gone:
            await self._exec(f"UPDATE {table} SET active = 0 WHERE key = ?", (key,))
        return len(gone)

    async def replace_reception(self, station_id: int, slots: list[tuple[int, str, str]]) -> bool:
        current = [(r.weekday, r.start, r.end) for r in await self.reception(station_id)]
        if sorted(current) == sorted(slots):
            return False
        await self._exec("DELETE FROM reception_slots WHERE station_id = ?", (station_id,))
        for weekday, start, end in slots:
            await self._exec(
                "INSERT INTO reception_slots (station_id, weekday, start, end) VALUES (?,?,?,?)",
                (station_id, weekday, start, end),
            )
        return True

    async def counts(self) -> dict[str, int]:
        """How many active rows each seeded table holds (for the seed command's report)."""
        out = {}
        for table in ("stations", "categories", "departments", "patrols"):
            out[table] = int(
                await self._scalar(f"SELECT COUNT(*) FROM {table} WHERE active = 1") or 0
            )
        out["people"] = int(
            await self._scalar("SELECT COUNT(*) FROM people WHERE key IS NOT NULL") or 0
        )
        return out
