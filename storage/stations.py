"""Stations with their reception slots, categories, departments and patrol templates."""

from __future__ import annotations

import json
from typing import Any

from bot.models import Category, Department, Reception, Station
from storage._base import Repo

_ST = "id, key, name, district, address, lat, lon"
_CAT = "id, key, name_zh, name_en, accept_within, reply_within, escalate_after"
_DEP = "id, key, name_zh, name_en"


class StationRepo(Repo):
    async def get(self, station_id: int) -> Station | None:
        row = await self._one(f"SELECT {_ST} FROM stations WHERE id = ?", (station_id,))
        return Station.model_validate(dict(row)) if row else None

    async def by_key(self, key: str) -> Station | None:
        row = await self._one(f"SELECT {_ST} FROM stations WHERE key = ? AND active = 1", (key,))
        return Station.model_validate(dict(row)) if row else None

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
        rows = await self._all(
            f"SELECT {_CAT} FROM categories WHERE active = 1 ORDER BY position, id"
        )
        return [Category.model_validate(dict(r)) for r in rows]

    async def all_categories(self) -> list[Category]:
        """Every category, also those a seed reload retired (old issues still use them)."""
        rows = await self._all(f"SELECT {_CAT} FROM categories ORDER BY position, id")
        return [Category.model_validate(dict(r)) for r in rows]

    async def category(self, category_id: int) -> Category | None:
        row = await self._one(f"SELECT {_CAT} FROM categories WHERE id = ?", (category_id,))
        return Category.model_validate(dict(row)) if row else None

    async def category_by_key(self, key: str) -> Category | None:
        row = await self._one(f"SELECT {_CAT} FROM categories WHERE key = ?", (key,))
        return Category.model_validate(dict(row)) if row else None

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
