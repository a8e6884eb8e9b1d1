"""Hotspots (建议线索): similar issues grouped for a deputy's suggestion."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from itertools import combinations, pairwise

import pytest

from bot.hotspots import (
    LINKAGE,
    THRESHOLD,
    Candidate,
    Hotspot,
    distance_m,
    find_hotspots,
    hotspot_of,
    text_similarity,
)
from tests.unit.hotspot_fixture import (
    BUS,
    BY_ID,
    CANDIDATES,
    GROUPS,
    HOUR,
    NEAR_MISSES,
    PROPERTY,
    ROADS,
    SINGLETONS,
    T0,
)


def ids(hotspot: Hotspot) -> frozenset[int]:
    return frozenset(c.issue_id for c in hotspot.issues)


def grouping(hotspots: list[Hotspot]) -> set[frozenset[int]]:
    return {ids(h) for h in hotspots}


@pytest.fixture(scope="module")
def hotspots() -> list[Hotspot]:
    return find_hotspots(CANDIDATES)


def the_one(hotspots: list[Hotspot], issue_id: int) -> Hotspot:
    found = [h for h in hotspots if issue_id in ids(h)]
    assert len(found) == 1, f"issue {issue_id} is in {len(found)} hotspots"
    return found[0]


def candidate(
    issue_id: int,
    text: str,
    *,
    category_id: int = BUS,
    station_id: int = 1,
    lat: float | None = None,
    lon: float | None = None,
) -> Candidate:
    return Candidate(
        issue_id=issue_id,
        category_id=category_id,
        station_id=station_id,
        text=text,
        created_at=T0 + issue_id * HOUR,
        reporter_id=1000 + issue_id,
        lat=lat,
        lon=lon,
    )


# --- comparing texts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("电瓶车推进楼道充电，有火灾隐患", "电动自行车在楼道里充电，存在消防隐患"),
        ("路灯坏了，晚上一片漆黑", "路灯一直不亮"),
        ("暖气不热，屋里只有15度", "供暖温度不达标，室温才十几度"),
        ("公交站台没有遮雨棚", "公交车站连个挡雨的棚子都没有"),
    ],
)
def test_paraphrases_score_above_the_threshold(a: str, b: str) -> None:
    assert text_similarity(a, b) >= THRESHOLD


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the same thing, a different complaint
        ("路灯一直不亮", "路灯太亮了，照进卧室"),
        ("老旧小区加装电梯", "电梯经常故障困人"),
        ("暖气不热", "暖气漏水"),
        # the same filler around different problems
        (
            "我们小区楼下路灯不亮，希望有关部门尽快解决",
            "我们小区楼下垃圾没人收，希望有关部门尽快解决",
        ),
        # the same address around different problems
        ("12号楼3单元门口垃圾没人收", "12号楼3单元门口有人飞线充电"),
    ],
)
def test_near_misses_score_below_the_merge_floor(a: str, b: str) -> None:
    assert text_similarity(a, b) < THRESHOLD * LINKAGE


def test_similarity_basics() -> None:
    a, b = "垃圾桶满了好几天没人收", "垃圾清运不及时，垃圾桶满出来了"
    assert text_similarity(a, a) == 1.0
    assert text_similarity(a, b) == text_similarity(b, a)
    assert 0.0 < text_similarity(a, b) < 1.0
    assert text_similarity("", a) == 0.0
    # nothing but filler says nothing, not even when two such texts are alike
    filler = "我们小区这个问题已经反映好几次了，希望有关部门尽快解决"
    assert text_similarity(filler, "希望有关部门尽快解决我们小区的问题，已经反映好几天了") == 0.0
    assert text_similarity(filler, filler) == 0.0


def test_distance() -> None:
    assert distance_m(45.75, 126.63, 45.75, 126.63) == 0.0
    # one degree along a meridian is R * pi / 180
    assert distance_m(45.0, 126.0, 46.0, 126.0) == pytest.approx(111_195, abs=1)
    assert distance_m(45.0, 126.0, 45.3, 126.4) == pytest.approx(
        distance_m(45.3, 126.4, 45.0, 126.0)
    )
    # Harbin: a degree of longitude is about 78 km at 45.75°N
    assert distance_m(45.75, 126.0, 45.75, 127.0) == pytest.approx(77_600, rel=0.01)


# --- the fixture's groups ---------------------------------------------------------------


def test_exactly_the_paraphrase_groups(hotspots: list[Hotspot]) -> None:
    assert grouping(hotspots) == set(GROUPS.values())


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_each_group_is_one_hotspot(hotspots: list[Hotspot], name: str) -> None:
    members = GROUPS[name]
    found = the_one(hotspots, min(members))
    assert ids(found) == members


@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
def test_near_misses_stay_out(hotspots: list[Hotspot], name: str) -> None:
    group = the_one(hotspots, min(GROUPS[name]))
    assert not ids(group) & NEAR_MISSES[name]


def test_singletons_are_in_no_hotspot(hotspots: list[Hotspot]) -> None:
    grouped = {i for h in hotspots for i in ids(h)}
    assert not grouped & SINGLETONS
    assert len(grouped) + len(SINGLETONS) == len(CANDIDATES)


def test_categories_never_mix(hotspots: list[Hotspot]) -> None:
    for h in hotspots:
        assert {c.category_id for c in h.issues} == {h.category_id}
    # 208 tells the charging story but was filed under roads
    assert BY_ID[208].category_id == ROADS
    assert text_similarity(BY_ID[208].text, BY_ID[101].text) >= THRESHOLD
    assert 208 not in ids(the_one(hotspots, 101))

    text = "楼道里有人给电动车充电，电线乱拉"
    same = [
        candidate(1, text, category_id=PROPERTY),
        candidate(2, text, category_id=PROPERTY),
        candidate(3, text, category_id=ROADS),
    ]
    found = find_hotspots(same)
    assert grouping(found) == {frozenset({1, 2})}
    assert hotspot_of(same, 3) is None


def test_a_chain_is_cut_where_it_drifts() -> None:
    chain = [
        "电动车在楼道里充电，电线乱拉",
        "电动车在楼道里充电，把消防通道堵住了",
        "消防通道被杂物堵住了",
        "消防通道被杂物和纸箱堵死，纸箱堆满楼梯",
        "纸箱堆满楼梯，还招老鼠",
    ]
    # each text links to the next, so connected components would make one group of five
    for a, b in pairwise(chain):
        assert text_similarity(a, b) >= THRESHOLD
    assert text_similarity(chain[0], chain[-1]) == 0.0
    found = find_hotspots([candidate(i + 1, t) for i, t in enumerate(chain)])
    assert grouping(found) == {frozenset({1, 2}), frozenset({3, 4, 5})}


def test_members_are_alike_on_average(hotspots: list[Hotspot]) -> None:
    for h in hotspots:
        pairs = list(combinations([c.text for c in h.issues], 2))
        mean = sum(text_similarity(a, b) for a, b in pairs) / len(pairs)
        assert mean >= THRESHOLD * LINKAGE, sorted(ids(h))


# --- what a hotspot says ----------------------------------------------------------------


def test_hotspot_figures(hotspots: list[Hotspot]) -> None:
    bus = the_one(hotspots, 301)
    assert [c.issue_id for c in bus.issues] == [301, 302, 303, 304]  # oldest first
    assert bus.count == 4
    assert bus.category_id == BUS
    assert bus.station_ids == (1, 2, 3, 4)
    assert bus.supporters == 6 + 4 + 3 + 2
    # 302 and 303 have one reporter: three reporters and fifteen supporters
    assert bus.people == 3 + 15
    assert bus.first_at == T0 + 4 * HOUR
    assert bus.last_at == T0 + 95 * HOUR
    assert bus.key == 301
    assert bus.strength == (18, 4, 4, T0 + 95 * HOUR)

    charging = the_one(hotspots, 101)
    # 101 and 104 were both filed at station 1: distinct, in order of first appearance
    assert charging.station_ids == (1, 2, 3)


def test_typical_is_the_member_most_like_the_others(hotspots: list[Hotspot]) -> None:
    for h in hotspots:
        assert h.typical in h.issues

        def mean(c: Candidate, h: Hotspot = h) -> float:
            return sum(text_similarity(c.text, o.text) for o in h.issues if o is not c)

        best = max(mean(c) for c in h.issues)
        first_best = next(c for c in h.issues if mean(c) == best)  # ties: the older
        assert h.typical == first_best


def test_typical_tie_goes_to_the_older() -> None:
    text = "公交站台没有遮雨棚，下雨天淋湿"
    found = find_hotspots([candidate(7, text), candidate(3, text), candidate(5, text)])
    assert len(found) == 1
    assert found[0].typical.issue_id == 3


def test_strongest_first(hotspots: list[Hotspot]) -> None:
    strengths = [h.strength for h in hotspots]
    assert strengths == sorted(strengths, reverse=True)
    assert hotspots[0].key == 301  # the bus stops: eighteen people
    # 广场舞 and 工地: two people, two issues, two stations each; the more recent comes first
    order = [h.key for h in hotspots]
    assert order.index(903) < order.index(901)


def test_supporters_decide_the_order() -> None:
    lights = "晚上路灯不亮，一片漆黑"
    shelter = "公交站台没有遮雨棚，下雨天淋湿"
    older = [candidate(1, lights, station_id=1), candidate(2, lights, station_id=2)]
    newer = [candidate(3, shelter, station_id=1), candidate(4, shelter, station_id=2)]
    # alike in size: the more recent last issue wins
    assert [h.key for h in find_hotspots(older + newer)] == [3, 1]
    # two 附议 on the older one make it the stronger
    backed = [replace(older[0], supporter_ids=frozenset({90, 91})), older[1]]
    found = find_hotspots(backed + newer)
    assert [h.key for h in found] == [1, 3]
    assert (found[0].people, found[0].supporters) == (4, 2)


# --- radius -------------------------------------------------------------------------------

HERE = (45.7500, 126.6300)
METRES_NORTH = 1 / 111_195  # degrees of latitude per metre


def four_shelters(apart_m: float) -> list[Candidate]:
    text = "公交站台没有遮雨棚，下雨天等车全身淋湿"
    north = HERE[0] + apart_m * METRES_NORTH
    return [
        candidate(1, text, lat=HERE[0], lon=HERE[1]),
        candidate(2, text, lat=north, lon=HERE[1]),
        candidate(3, text, lat=HERE[0] + 0.0005, lon=HERE[1]),
        candidate(4, text, lat=north + 0.0005, lon=HERE[1]),
    ]


def test_radius_splits_places_5_km_apart() -> None:
    far = four_shelters(5000)
    assert distance_m(far[0].lat or 0, HERE[1], far[1].lat or 0, HERE[1]) == pytest.approx(5000)
    assert grouping(find_hotspots(far, radius_m=1000)) == {frozenset({1, 3}), frozenset({2, 4})}
    assert grouping(find_hotspots(far)) == {frozenset({1, 2, 3, 4})}  # no radius: one


def test_radius_keeps_places_300_m_apart_together() -> None:
    near = four_shelters(300)
    assert grouping(find_hotspots(near, radius_m=1000)) == {frozenset({1, 2, 3, 4})}


def test_an_issue_without_location_links_by_text() -> None:
    far = four_shelters(5000)
    nowhere = candidate(5, far[0].text)
    found = find_hotspots([*far, nowhere], radius_m=1000)
    groups = grouping(found)
    # it joins one side; the two places still do not mix
    assert groups in (
        {frozenset({1, 3, 5}), frozenset({2, 4})},
        {frozenset({1, 3}), frozenset({2, 4, 5})},
    )
    assert hotspot_of([*far, nowhere], 5, radius_m=1000) in found


# --- hotspot_of, order, parameters ----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_hotspot_of_a_member(hotspots: list[Hotspot], name: str) -> None:
    for issue_id in GROUPS[name]:
        assert hotspot_of(CANDIDATES, issue_id) == the_one(hotspots, issue_id)


def test_hotspot_of_a_singleton_or_a_stranger() -> None:
    for issue_id in sorted(SINGLETONS):
        assert hotspot_of(CANDIDATES, issue_id) is None
    assert hotspot_of(CANDIDATES, 999_999) is None


@pytest.mark.parametrize("seed", range(5))
def test_input_order_does_not_matter(hotspots: list[Hotspot], seed: int) -> None:
    shuffled = list(CANDIDATES)
    random.Random(seed).shuffle(shuffled)
    assert find_hotspots(shuffled) == hotspots
    assert find_hotspots(reversed(CANDIDATES)) == hotspots
    local = find_hotspots(CANDIDATES, radius_m=1500)
    assert find_hotspots(shuffled, radius_m=1500) == local
    assert [hotspot_of(shuffled, h.key, radius_m=1500) for h in local] == local


def test_a_radius_smaller_than_the_gap_between_stations() -> None:
    # the fixture's stations are 4 km and more apart and its issues lie within 1 km of them
    found = find_hotspots(CANDIDATES, radius_m=1500)
    assert found
    assert all(len(h.station_ids) == 1 for h in found)
    assert frozenset({101, 104}) in grouping(found)  # the two charging issues at station 1


def test_min_issues_and_threshold() -> None:
    everything = find_hotspots(CANDIDATES, min_issues=1)
    assert sorted(i for h in everything for i in ids(h)) == sorted(BY_ID)
    assert {ids(h) for h in everything if h.count == 1} == {frozenset({i}) for i in SINGLETONS}
    big = find_hotspots(CANDIDATES, min_issues=4)
    assert grouping(big) == {g for g in GROUPS.values() if len(g) >= 4}
    # a threshold of 1 groups only texts that read the same once the filler is gone:
    # 广场舞音响声音太大 and 广场舞噪音扰民 are both 广场舞 + 噪音
    assert text_similarity(BY_ID[901].text, BY_ID[902].text) == 1.0
    assert grouping(find_hotspots(CANDIDATES, threshold=1.0)) == {frozenset({901, 902})}


@pytest.mark.parametrize(
    "kwargs", [{"threshold": 0.0}, {"threshold": 1.5}, {"radius_m": -1.0}, {"min_issues": 0}]
)
def test_bad_parameters(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        find_hotspots(CANDIDATES, **kwargs)  # type: ignore[arg-type]


def test_an_issue_given_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        find_hotspots([*CANDIDATES, BY_ID[101]])


# --- a city's worth -------------------------------------------------------------------------

PLACES = ["新阳路", "中山路", "学府路", "红旗大街", "友谊路", "和平小区", "幸福家园", "河畔新城"]
OPENINGS = ["", "", "您好，", "代表您好！", "反映一个问题：", "我是{n}号楼的住户，"]
CLOSINGS = ["", "", "希望有关部门尽快解决。", "谢谢！", "麻烦尽快处理一下", "已经反映好几次了"]


def synthetic_city(n: int, seed: int) -> tuple[list[Candidate], dict[int, str]]:
    """n issues retelling the fixture's texts with other filler, places and building
    numbers, at 60 stations over a month; and each issue's problem (its group's name)."""
    rnd = random.Random(seed)
    group_of = {i: name for name, members in GROUPS.items() for i in members}
    issues: list[Candidate] = []
    problem: dict[int, str] = {}
    for issue_id in range(1, n + 1):
        source = rnd.choice(CANDIDATES)
        place = rnd.choice(PLACES) if rnd.random() < 0.5 else ""
        opening = rnd.choice(OPENINGS).format(n=rnd.randint(1, 40))
        text = opening + place + source.text + rnd.choice(CLOSINGS)
        issues.append(
            Candidate(
                issue_id=issue_id,
                category_id=source.category_id,
                station_id=rnd.randint(1, 60),
                text=text,
                created_at=T0 + rnd.randint(0, 30 * 24 * HOUR),
                reporter_id=rnd.randint(1, 4000),
                supporter_ids=frozenset(rnd.sample(range(10_000, 20_000), rnd.randint(0, 3))),
                lat=45.75 + rnd.uniform(-0.1, 0.1),
                lon=126.63 + rnd.uniform(-0.1, 0.1),
            )
        )
        problem[issue_id] = group_of.get(source.issue_id, f"alone-{source.issue_id}")
    return issues, problem


def test_five_thousand_issues() -> None:
    # Correctness only. On the 2-core benchmark machine this call takes about 0.3 s; the
    # same city with every text signed by a different name (no two texts alike) about 2 s,
    # and with radius_m=2000 about 1 s.
    issues, problem = synthetic_city(5000, seed=2026)
    found = find_hotspots(issues)

    in_hotspots = Counter(i for h in found for i in ids(h))
    assert max(in_hotspots.values()) == 1  # an issue is in one hotspot at most
    for h in found:
        assert len({c.category_id for c in h.issues}) == 1
        assert len({problem[c.issue_id] for c in h.issues}) == 1, "two problems mixed"
    # every retelling of a paraphrase group ends up in that group's one hotspot
    for name in GROUPS:
        retold = {i for i, p in problem.items() if p == name}
        holding = [h for h in found if ids(h) & retold]
        assert len(holding) == 1, name
        assert ids(holding[0]) == retold
    strengths = [h.strength for h in found]
    assert strengths == sorted(strengths, reverse=True)

    rnd = random.Random(1)
    for issue_id in rnd.sample(sorted(problem), 5):
        expected = next((h for h in found if issue_id in ids(h)), None)
        assert hotspot_of(issues, issue_id) == expected
