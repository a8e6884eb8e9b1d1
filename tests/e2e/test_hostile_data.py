"""What residents type cannot turn an export into something else, and what one resident does
is not shown to another by name."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.e2e.conftest import World
from tests.e2e.helpers import bind, file_issue, summary_with_similar

FORMULA = '=HYPERLINK("http://evil.example","点我领取补贴")'


async def test_formulas_and_control_characters_are_exported_as_plain_text(world: World) -> None:
    alice, bob = world.user(1), world.user(2)
    await bind(alice, "north")
    await bind(bob, "north")
    await file_issue(alice, FORMULA)
    await file_issue(bob, "楼道\x0b灯坏了，@物业 快来修")
    assert world.bot.services is not None
    exports = world.bot.services.exports

    _, xlsx, count = await exports.build("xlsx", None)
    assert count == 2
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    column = header.index("描述") + 1
    cells = [sheet.cell(row=r, column=column) for r in (2, 3)]
    by_text = {str(c.value): c for c in cells}
    assert FORMULA in by_text and by_text[FORMULA].data_type == "s"  # text, not a formula
    assert "楼道灯坏了，@物业 快来修" in by_text  # the control character is gone, nothing else

    _, data, _ = await exports.build("csv", None)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    described = [row[rows[0].index("描述")] for row in rows[1:]]
    assert "'" + FORMULA in described  # a spreadsheet shows it as text
    assert "楼道灯坏了，@物业 快来修" in described


async def test_the_timeline_shows_supporters_as_a_resident_not_by_name(world: World) -> None:
    alice, bob = world.user(1, "Alice"), world.user(2, "王秘密")
    await bind(alice, "north")
    await bind(bob, "north")
    number = await file_issue(alice, "北关路88号门口的井盖松动了，车过很响")
    await bob.tap(
        f"附议 #{number}", await summary_with_similar(bob, "北关路88号井盖松动，车一过就响")
    )
    await bob.sees("已附议")
    await alice.send("/my")
    listing = await alice.wait_for("我的事项")
    await alice.tap(next(label for label in listing.labels if label.startswith(f"#{number} ")))
    timeline = await alice.wait_for("进展")
    assert "一位居民：附议" in timeline.text
    assert "王秘密" not in timeline.text
