"""Resident texts for the hotspot tests: paraphrase groups, near misses and singletons.

Written the way residents of a northern city write to a liaison station: the same problem in
different words, with the usual filler (希望有关部门尽快解决…), building numbers, and a few texts
that share the words of a group but describe a different problem.
"""

from __future__ import annotations

from bot.hotspots import Candidate

# categories (ids as a city's seed might number them)
ROADS = 1
HEATING = 2
PROPERTY = 3
RENOVATION = 4
FOOD = 5
BUS = 6
PARKING = 7
MEALS = 8
NOISE = 9

# stations and where they are (Harbin: 道里, 南岗, 香坊, 松北)
STATIONS: dict[int, tuple[float, float]] = {
    1: (45.7700, 126.6200),
    2: (45.7500, 126.6700),
    3: (45.7100, 126.7100),
    4: (45.8100, 126.5600),
}

T0 = 1_780_000_000  # some day in 2026
HOUR = 3600

# (issue_id, category, station, hours after T0, supporters, text)
# fmt: off
_ROWS: list[tuple[int, int, int, int, int, str]] = [
    # 电动车在楼道里充电 / 飞线充电
    (101, PROPERTY, 1, 2, 1, "3号楼2单元楼道里天天有人给电动车充电，电线从楼上窗户拉下来，太危险了，希望物业尽快处理"),
    (102, PROPERTY, 2, 30, 0, "我们小区有人飞线充电，电瓶车就停在楼道里充，万一着火怎么办"),
    (103, PROPERTY, 3, 55, 2, "电瓶车推进楼道充电，有火灾隐患，反映好几次了物业不管"),
    (104, PROPERTY, 1, 80, 0, "楼下好几辆电动自行车停在单元门口楼道里充电，一晚上都不拔，存在消防隐患"),
    (105, PROPERTY, 2, 120, 1, "有居民从五楼窗户扯电线下来给电动车充电，飞线充电太吓人了"),
    # 垃圾清运不及时
    (111, PROPERTY, 1, 5, 0, "垃圾清运不及时，小区垃圾桶都满出来了"),
    (112, PROPERTY, 2, 40, 1, "垃圾桶满了好几天都没人收，味道很大，夏天招苍蝇"),
    (113, PROPERTY, 3, 70, 0, "楼下垃圾堆在路边没人清理，已经发臭了"),
    (114, PROPERTY, 1, 100, 0, "垃圾站的垃圾三天没拉走了，臭气熏天，请物业及时清运"),
    # property: near misses and singletons
    (121, PROPERTY, 1, 8, 0, "建议加强垃圾分类宣传，很多居民还是不会分类投放"),
    (122, PROPERTY, 2, 45, 0, "楼道里堆满了杂物和纸箱，消防通道被堵死了"),
    (124, PROPERTY, 1, 90, 0, "物业费年年涨，服务却越来越差"),
    (125, PROPERTY, 2, 95, 0, "我们小区这个问题已经反映好几次了，希望有关部门尽快解决处理一下"),
    # 路灯不亮
    (201, ROADS, 1, 3, 0, "新阳路的路灯坏了好几天了，晚上一片漆黑"),
    (202, ROADS, 2, 33, 1, "晚上路灯不亮，走路看不清，老人容易摔倒"),
    (203, ROADS, 3, 60, 0, "小区门口那排路灯一直不亮，请尽快修一下"),
    (204, ROADS, 4, 85, 2, "学府路一到晚上黑灯瞎火的，路灯全灭了，很不安全"),
    # roads: near misses, singletons, and a charging text filed under the wrong category
    (205, ROADS, 1, 10, 0, "楼下新装的路灯太亮了，直射进卧室，晚上根本睡不着"),
    (206, ROADS, 2, 50, 0, "人行道上井盖松动，一踩就响，晚上走路很危险"),
    (207, ROADS, 3, 75, 0, "中山路路面塌陷出现一个大坑，车辆经过很危险"),
    (208, ROADS, 1, 110, 0, "楼道里有人给电动车充电，电线乱拉很危险"),
    # 公交站台没有遮雨棚
    (301, BUS, 1, 4, 6, "公交站台没有遮雨棚，下雨天等车全身都淋湿了"),
    (302, BUS, 2, 35, 4, "人民医院公交站连个雨棚都没有，老人下雨等车只能打伞"),
    (303, BUS, 3, 65, 3, "希望在公交车站加个顶棚，夏天晒冬天淋雨雪"),
    (304, BUS, 4, 95, 2, "102路公交站没有挡雨的棚子，下雨天只能站在雨里等车"),
    (305, BUS, 2, 20, 0, "公交站台的电子站牌坏了，看不到车还有多久来"),
    (306, BUS, 3, 115, 0, "公交车发车间隔太长，早高峰要等半个小时"),
    # 老旧小区加装电梯
    (401, RENOVATION, 1, 6, 1, "老旧小区加装电梯的申请交上去半年了一直没批下来"),
    (402, RENOVATION, 2, 38, 0, "我们楼住的都是老人，六楼实在爬不动，希望能装部电梯"),
    (403, RENOVATION, 3, 68, 1, "老小区加装电梯一楼住户不同意，希望社区出面协调"),
    (404, RENOVATION, 4, 98, 0, "老楼没有电梯，老年人上下楼太难了，加装电梯的补贴怎么申请"),
    # 电梯故障困人: same words (电梯, 老人, 爬楼), a different problem
    (411, RENOVATION, 1, 12, 0, "楼里的电梯经常出故障，昨天又困人了，物业维修不及时"),
    (412, RENOVATION, 2, 52, 0, "电梯坏了一个礼拜都没人来修，物业电话也打不通"),
    (413, RENOVATION, 3, 88, 0, "电梯三天两头出故障，上个月还困过人，住户都不敢坐"),
    (421, RENOVATION, 4, 28, 0, "外墙保温层脱落，刮风时往下掉渣"),
    (422, RENOVATION, 1, 105, 0, "老旧小区改造把绿化带挖了，一直没恢复"),
    # 外卖餐饮后厨卫生差
    (501, FOOD, 1, 7, 0, "这家外卖店后厨卫生太差，苍蝇乱飞，操作台全是油污"),
    (502, FOOD, 2, 42, 1, "某快餐店的厨房很脏，还有老鼠，外卖照样往外送"),
    (503, FOOD, 3, 72, 0, "点的外卖里吃出头发，这家店后厨卫生堪忧，希望市场监管查一查"),
    (504, FOOD, 1, 101, 0, "路边小吃店厨房脏乱差，员工也没有健康证"),
    (505, FOOD, 2, 58, 0, "超市还在卖过期的牛奶和面包"),
    # 独居老人吃饭难 / 老年食堂
    (601, MEALS, 1, 9, 2, "独居老人吃饭难，希望社区办个老年食堂"),
    (602, MEALS, 2, 44, 0, "我家老人一个人住，中午没有地方吃口热饭"),
    (603, MEALS, 3, 74, 1, "能不能开个老年助餐点，给腿脚不便的老人送餐上门"),
    (604, MEALS, 4, 104, 0, "社区老年食堂什么时候能开起来，老人们都盼着"),
    (605, MEALS, 1, 26, 0, "老年活动中心开放时间太短，下午三点就关门"),
    # 无障碍停车位被占
    (701, PARKING, 1, 11, 0, "无障碍停车位总是被普通私家车占用"),
    (702, PARKING, 2, 46, 1, "残疾人车位天天被社会车辆占着，坐轮椅的没法停车"),
    (703, PARKING, 3, 76, 0, "医院门口的无障碍车位被占了，也没人管"),
    (704, PARKING, 4, 106, 0, "商场地下车库的残疾人专用车位停满了普通车"),
    # 停车收费太贵: same 停车/车位 words, a different problem (and a small group of its own)
    (711, PARKING, 1, 14, 0, "停车收费太贵了，一小时十块钱"),
    (712, PARKING, 2, 54, 0, "路边停车收费标准太高，也不公示"),
    (713, PARKING, 3, 84, 0, "小区停车位太少，晚上下班回来没地方停车"),
    # 暖气不热
    (801, HEATING, 1, 1, 3, "暖气不热，屋里只有十五六度，穿着棉袄还冷"),
    (802, HEATING, 2, 31, 2, "家里供暖温度不达标，室温才十几度"),
    (803, HEATING, 3, 61, 1, "暖气片摸着是凉的，晚上冻得睡不着"),
    (804, HEATING, 4, 91, 0, "今年供暖不热，老人孩子在家都冻感冒了"),
    (805, HEATING, 1, 21, 0, "暖气管道漏水，把楼下邻居家淹了"),
    (806, HEATING, 2, 81, 0, "供暖费太贵，能不能按实际面积收费"),
    # 广场舞 / 工地夜间施工: two noise problems
    (901, NOISE, 1, 15, 0, "广场舞音响声音太大，晚上十点还在跳"),
    (902, NOISE, 2, 47, 0, "楼下广场舞噪音扰民，每天晚上吵到九点多"),
    (903, NOISE, 3, 77, 0, "附近工地夜间施工，半夜还在打桩"),
    (904, NOISE, 4, 107, 0, "工地晚上施工噪音太大，孩子没法睡觉"),
]
# fmt: on

# Supporters are other residents (ids 5000+); a reporter is 1000 + issue id, except that
# one resident filed two of the bus-stop issues, so "people" is less than the sum.
SAME_REPORTER = {303: 1302}


def _candidate(row: tuple[int, int, int, int, int, str]) -> Candidate:
    issue_id, category, station, hours, supporters, text = row
    lat, lon = STATIONS[station]
    # spread the issues a few hundred metres around their station
    lat += (issue_id % 7) * 0.001
    lon += (issue_id % 5) * 0.001
    return Candidate(
        issue_id=issue_id,
        category_id=category,
        station_id=station,
        text=text,
        created_at=T0 + hours * HOUR,
        reporter_id=SAME_REPORTER.get(issue_id, 1000 + issue_id),
        supporter_ids=frozenset(5000 + issue_id * 10 + i for i in range(supporters)),
        lat=lat,
        lon=lon,
    )


CANDIDATES: tuple[Candidate, ...] = tuple(_candidate(row) for row in _ROWS)
BY_ID: dict[int, Candidate] = {c.issue_id: c for c in CANDIDATES}

# the paraphrase groups each must come out as exactly one hotspot
GROUPS: dict[str, frozenset[int]] = {
    "charging": frozenset({101, 102, 103, 104, 105}),
    "garbage": frozenset({111, 112, 113, 114}),
    "street_lights": frozenset({201, 202, 203, 204}),
    "bus_shelter": frozenset({301, 302, 303, 304}),
    "lift_install": frozenset({401, 402, 403, 404}),
    "lift_broken": frozenset({411, 412, 413}),
    "kitchens": frozenset({501, 502, 503, 504}),
    "elderly_meals": frozenset({601, 602, 603, 604}),
    "accessible_parking": frozenset({701, 702, 703, 704}),
    "parking_fees": frozenset({711, 712}),
    "heating": frozenset({801, 802, 803, 804}),
    "square_dance": frozenset({901, 902}),
    "night_works": frozenset({903, 904}),
}

# texts that share a group's words but not its problem
NEAR_MISSES: dict[str, frozenset[int]] = {
    "charging": frozenset({122, 208}),
    "garbage": frozenset({121}),
    "street_lights": frozenset({205, 206}),
    "bus_shelter": frozenset({305, 306}),
    "lift_install": frozenset({411, 412, 413, 422}),
    "elderly_meals": frozenset({605}),
    "accessible_parking": frozenset({711, 712, 713}),
    "heating": frozenset({805, 806}),
}

# in no hotspot at all
SINGLETONS: frozenset[int] = frozenset(
    {121, 122, 124, 125, 205, 206, 207, 208, 305, 306, 421, 422, 505, 605, 713, 805, 806}
)
