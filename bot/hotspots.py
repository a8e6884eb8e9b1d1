"""Hotspots (建议线索): groups of similar issues that deputies can turn into a formal suggestion.

Pure and platform-free: the caller loads a period's issues as `Candidate`s and gets back
`Hotspot`s, strongest first.

How two texts are compared (`text_similarity`)
----------------------------------------------
Residents describe one problem in different words and pad every text with the same filler
(我们小区…希望有关部门尽快解决), so plain character bigrams (what `bot.similarity` uses to spot
a duplicate while someone is filing) make unrelated complaints look alike and paraphrases look
different. A text is therefore read in three steps:

1. Filler goes. A stoplist of generic words (小区, 问题, 反映, 希望, 尽快, 解决, 有关部门, 楼下,
   已经, 好几天, 晚上, 物业…) and numbers with their unit (3号楼, 2单元, 五楼, 十几度, 102路)
   are dropped and break the text where they stood, so no bigram spans the gap.
2. Paraphrases meet. A small lexicon maps the usual ways of saying one thing to one token:
   电瓶车/电动自行车/电驴 → 电动车, 坏了/不亮/一片漆黑/黑灯瞎火 → 故障, 满出来/堆满 → 满溢,
   遮雨棚/顶棚/挡雨的棚子 → 雨棚. A token is one unit (a three-character word does not count
   three times) and still pairs with its neighbours, so 路灯+故障 and 暖气+不热 keep the
   *what* and the *what is wrong* together.
3. The features are the tokens and the bigrams of adjacent units. Two texts score the
   weighted Dice coefficient of their features (0..1), a token weighing `TOKEN_WEIGHT`
   bigrams: a curated word says more than a bigram, half of which straddle two words.

The lexicon knows *things* (电梯, 暖气, 车位) apart from *complaints* (故障, 困人, 加装电梯,
不热, 漏水, 占用, 太贵). Near misses are exactly the texts that share a thing and differ in
the complaint, 路灯不亮 vs 路灯太亮 (→ 刺眼), 加装电梯 vs 电梯困人, 车位被占 vs 停车收费太贵;
so when both texts name complaints and none is shared, the score is multiplied by `DISJOINT`.

The lexicon and stoplist are plain data: grow them from real texts. Paraphrases that share
neither a character pair nor a lexicon word do not meet, so a topic the lexicon does not know
groups only its close rewordings.

Why no IDF over the batch: weights learnt from the candidates make whether two issues link
depend on whatever else is in the period (a hotspot could split when unrelated issues are
added), give small categories degenerate weights, and would make the grouping's score differ
from `text_similarity`. A fixed vocabulary keeps a pair's score a property of the pair.

How issues are grouped (`find_hotspots`)
----------------------------------------
Only issues of the same category are compared. Two issues *link* when their similarity is at
least `threshold` and, with a `radius_m`, they are no farther apart than that (an issue
without a location links by text alone).

Connected components of the links would chain: A~B and B~C put A and C together even when
they have nothing in common, and across a city that drift glues several problems into one
blob. So groups come from average-link agglomerative clustering over the links. Two groups
may merge when (a) at least one link joins them, (b) their mean similarity over *all* cross
pairs, linked or not, is at least `threshold * LINKAGE`, and (c) with a radius, no two
located members would be farther apart than `radius_m`. Two single issues thus merge exactly
when they link; a group takes in an issue only if the issue resembles the group on average,
which stops a chain after a step or two. Every group is a connected piece of the link graph.

`LINKAGE` is below 1 because genuine paraphrases are not all pairwise above the threshold:
独居老人吃饭难 and 老年食堂什么时候开 share little, yet both resemble 希望社区办个老年食堂.
Average-link rather than "similar to the group's typical text": tried on the tests' data, a
typical-text rule either let 工地夜间施工 into the 广场舞噪音 group (at the merge floor) or
split true groups (at the threshold); averaging over all members does neither.

The merges follow the nearest-neighbour chain: from a group, step to the group it would best
merge with until two groups choose each other, merge those, and call a group with nothing to
merge with final. That gives the same groups as "merge the most similar pair first" (average
linkage never makes a merged group more alike to a third than its parts were; only rule (a)
can, rarely), at O(n²) per dense component instead of a heap's O(n² log n).

Ties are broken by age (older first, then the smaller issue id) and the input is sorted first,
so the output does not depend on the order of the candidates.

Speed: each text is read once, and copies of one text are grouped as one weighted node.
Links come from prefix filtering: features are ordered rarest first, and a pair scoring at
least t must share one of the first |x| - t|x|/(2-t) + 1 features of each text x, so only
those prefixes are indexed and a category's common words do not force an all-pairs
comparison. Average-link then looks only inside linked components. On the 2-core benchmark
machine, 5,000 candidates retelling the tests' texts (some 300 versions of each problem, in
varied filler, places and building numbers) group in about 0.3 s, or 2 s when every text is
signed with a different name so no two are alike; the cost is quadratic in the size of a
dense group, so a category where thousands say the same thing is the slow case (a radius
splits it).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "DISJOINT",
    "LINKAGE",
    "THRESHOLD",
    "TOKEN_WEIGHT",
    "Candidate",
    "Hotspot",
    "distance_m",
    "find_hotspots",
    "hotspot_of",
    "text_similarity",
]

# On the tests' fixture, paraphrases of one problem score 0.21-1.0 with each other (median
# 0.5, 94% of pairs at 0.3 or more) and different problems of one category at most 0.25;
# every group comes out right for thresholds from 0.22 to 0.38, and 0.3 is the middle.
THRESHOLD = 0.3
# a group takes in another when their mean cross similarity is at least THRESHOLD * LINKAGE
LINKAGE = 0.7
TOKEN_WEIGHT = 2  # a lexicon word counts as two bigrams
DISJOINT = 0.5  # both texts name complaints, none in common: likely different problems

EARTH_RADIUS_M = 6_371_008.8  # mean radius
_METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180  # along a meridian

# --- the vocabulary -----------------------------------------------------------------------

# Words that carry no complaint of their own: who is asked (物业, 有关部门), how urgently (尽快,
# 一直, 好几天), where in the estate (楼下, 门口), when (晚上), and grammar. Removing them also
# breaks the text, so 电动车在楼道 does not make a bigram 车楼 out of a dropped 在.
_STOPWORDS = """
小区 问题 反映 反应 希望 尽快 赶快 赶紧 及早 解决 处理 有关部门 相关部门 有关单位 相关单位 政府 领导
我们 咱们 大家 居民 市民 群众 业主 住户 老百姓 一直 始终 严重 影响 附近 周边 周围 门口 楼下 楼上
这个 那个 这些 那些 这里 那里 这边 那边 这种 那种 已经 好几天 好多天 好几 好多 天天 每天 经常 总是 老是
时常 常常 多次 几次 一些 不少 很多 许多 请 麻烦 能不能 能否 可否 是否 可不可以 建议 要求 呼吁 现在 目前
最近 近期 如今 今天 昨晚 非常 特别 十分 实在 真的 确实 简直 怎么办 怎么 什么 为什么 谢谢 感谢 一下
帮忙 帮助 看看 关注 重视 有人 还有 还是 而且 但是 可是 因为 所以 如果 就是 只是 没有 没人管 不管
我家 家里 自己 本人 物业 物业公司 社区 居委会 街道 安全 危险 很危险 太危险 担心 不安全 及时 一到
晚上 夜间 夜里 半夜 深夜 白天 早上 中午 下午 上午 天黑 只能 可以 能够 应该 需要 必须
我 你 他 她 它 的 了 吗 呢 吧 啊 呀 哦 嘛 着 很 都 也 还 又 就 把 给 让 被 在 是 有 和 与 及 等
这 那 个 些 里 才 只 再 到 从 对 向 太 能 并 且 或 而 却 仍 已
"""

# One token for each way of saying the same thing; the first word of a line names the token.
# Things (what the issue is about) and complaints (what is wrong, or what is asked for) are
# kept apart: two texts about one thing with different complaints are different problems.
_THINGS = """
电动车 电瓶车 电动自行车 电单车 电驴 电摩 电动摩托车 电动摩托 电动三轮车
消防通道 生命通道 安全通道 疏散通道
垃圾桶 垃圾箱 垃圾站 垃圾房 垃圾点 垃圾池
垃圾车 清运车 环卫车 收垃圾的车
公交站 公交站台 公交车站 公交站点 车站 站台
老楼 老旧小区 老小区 老房子 老旧楼 老旧楼房 老楼房
后厨 厨房 操作间
外卖 外卖店 点的外卖
饭菜 菜品 伙食 饭食
老人 老年人 老人家 老人们 长者 高龄老人 老年 老大爷 老大娘 大爷 大妈
独居 一个人住 空巢 独自生活 独自居住
食堂 老年食堂 助餐点 饭堂 长者食堂 老年餐桌 助餐服务点 社区食堂
车位 停车位 泊位
无障碍 残疾人 残障 残疾人专用 轮椅
车辆 私家车 社会车辆 普通车辆 普通车 汽车
暖气 暖气片 供暖 采暖 供热 地暖
室温 屋里温度 室内温度
下水道 排水管 下水管 污水管 地漏
井盖 窨井盖 下水井盖
红绿灯 信号灯 交通灯
狗 犬 宠物狗 遛狗
物业费 管理费
装修
共享单车 单车 小黄车 共享电单车
歌厅 ktv 卡拉ok 酒吧
烧烤 烧烤店 烧烤摊 大排档
工地 施工工地 建筑工地
学校 校门口 学校门口 幼儿园 小学 中学
路口 十字路口 交叉口 丁字路口
马路 道路 路面
自来水 水质 水龙头
"""
_COMPLAINTS = """
充电 充电池
飞线 拉电线 扯电线 拉线 扯线 私拉电线 私拉乱接 电线乱拉 乱拉电线 拉插线板
隐患 火灾隐患 消防隐患 安全隐患 着火 起火 火灾 失火 吓人
故障 坏了 坏掉 坏 损坏 失灵 出故障 不亮 没亮 灭了 熄灭 全灭 漆黑 黑灯瞎火 黑漆漆 黑乎乎 一片黑 太黑 不能用 用不了 不好使 停摆
维修 修理 修一下 没人修 修 报修 检修 抢修 修缮
不及时 拖延 迟迟 一拖再拖 拖着
刺眼 太亮 晃眼 直射 照进 光污染
困人 困过人 关人 被困 困在里面 卡人
清运 没人收 没人清理 没人清 没拉走 拉走 收走 运走 清理 收运 清走
满溢 满出来 满了 溢出 堆满 堆放 堆在 乱堆 堆积 成堆 乱扔 堆
分类 垃圾分类 分类投放
臭味 发臭 臭气熏天 异味 味道很大 味道大 很臭 太臭 臭 刺鼻 难闻 恶臭
缺失 丢失 丢了 被偷 不见了 没了
雨棚 遮雨棚 顶棚 挡雨的棚子 棚子 候车亭 遮阳棚 雨篷 遮雨 挡雨
淋雨 淋湿 打伞 雨里 下雨天 下雨 雨天 淋雨雪 淋 风吹日晒 日晒雨淋
加装电梯 装电梯 增设电梯 装部电梯 装个电梯 安装电梯 加梯
爬楼 爬不动 上下楼 爬楼梯 下不了楼 下楼难
卫生差 脏乱差 卫生太差 不卫生 卫生堪忧 很脏 太脏 油污 脏 脏乱 卫生不合格
虫鼠 苍蝇 老鼠 蟑螂 蚊子 虫子
吃饭 吃饭难 就餐 用餐 吃口热饭 吃热饭 没地方吃饭 送餐 送餐上门 助餐 吃上饭
停车难 没地方停 没地方停车 找不到车位 车位紧张 车位太少 车位不够 停车位太少 停车位不够
不足 太少 不够 紧张 短缺 不足够
联系不上 打不通 没人接 联系不到
占用 被占 占着 占了 霸占 被占用 停满
乱停 乱停乱放 乱停车 违停 违章停车 随意停放
收费 费用 价格 收费标准 乱收费 收钱
太贵 太高 贵 偏高 涨价 涨
不热 温度不达标 不达标 凉的 冰凉 冷 冻 冻得 不够热 温度低 温度太低 温度偏低 不暖和
噪音 噪声 太吵 吵 吵闹 扰民 声音太大 音响 喇叭 大喇叭 装修噪音
漏水 渗水 滴水 跑水 淹了 返水 漏雨
停水 没水 断水 水压低 水压小 水太小
停电 断电 没电 跳闸
堵塞 堵了 堵死 不通 堵住 堵住了 排不出去
坑洼 大坑 坑坑洼洼 坑 塌陷 凹陷 路面破损 破损
信号差 没信号 信号不好 网速慢
违建 违章建筑 私搭乱建 乱搭乱建
油烟 油烟味
不拴绳 不牵绳 不栓绳
积水 内涝 水淹 排水不畅 淹水
太短 时间太短 时间短
发霉 长毛 霉斑 返潮
劣质 过期 三无 变质 假冒 伪劣 假货
中毒 拉肚子 腹泻 食物中毒 吃坏肚子
失眠 睡不着 没法睡 没法睡觉 无法入睡 睡不好 睡不了
"""

_UNITS = (
    "号楼|号院|号|栋|幢|单元|层|楼|室|户|弄|巷|路|期|区|元|块钱|块|小时|分钟|天|点|次|"
    "年|月|日|周|个月|个礼拜|礼拜|辆|米|度|岁"
)
# digits always; Chinese numerals only with a unit, so 一直 or 一片 are left alone
_NUMBER = rf"[0-9]+多?(?:{_UNITS})?多?|[零〇一二两三四五六七八九十百千几]+多?(?:{_UNITS})多?"
_TOKEN = "#"  # marks a lexicon token, so 故障 from the lexicon is not the bigram 故障


def _concept_table(spec: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in spec.strip().splitlines():
        words = line.split()
        for word in words:
            table[word] = _TOKEN + words[0]
    return table


_TOKEN_OF = _concept_table(_THINGS) | _concept_table(_COMPLAINTS)
_COMPLAINT_TOKENS = frozenset(_concept_table(_COMPLAINTS).values())
_STOP = frozenset(_STOPWORDS.split()) - _TOKEN_OF.keys()
_Trie = dict[str, "_Trie"]


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex for any of the words, as a trie: the engine follows one branch per character
    instead of trying hundreds of alternatives at every position. A longer word wins over
    its prefix (加装电梯 over 加装, 好几天 over 好几) because each optional tail is greedy."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def build(node: _Trie) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_LEXICON = re.compile(rf"(?P<number>{_NUMBER})|(?P<word>{_trie_pattern(_STOP | _TOKEN_OF.keys())})")


@dataclass(frozen=True, slots=True)
class _Text:
    """A text as the comparison sees it. Each lexicon token is in `bag` TOKEN_WEIGHT times
    (as #x, #x\0, …) so that set sizes are weights and the Dice stays a set operation."""

    bag: frozenset[str]
    complaints: frozenset[str]


def _read(text: str) -> _Text:
    cleaned = "".join(  # anything but letters and digits is a break
        ch if unicodedata.category(ch)[0] in "LN" else " "
        for ch in unicodedata.normalize("NFKC", text).lower()
    )
    found: set[str] = set()
    units: list[str] = []

    def flush() -> None:
        found.update(a + b for a, b in pairwise(units))
        units.clear()

    def plain(segment: str) -> None:
        for ch in segment:
            if ch == " ":
                flush()
            else:
                units.append(ch)

    pos = 0
    for match in _LEXICON.finditer(cleaned):
        plain(cleaned[pos : match.start()])
        pos = match.end()
        token = _TOKEN_OF.get(match.group("word") or "")
        if token is None:  # a number or a stopword
            flush()
        else:
            found.update(token + "\0" * k for k in range(TOKEN_WEIGHT))
            units.append(token)
    plain(cleaned[pos:])
    flush()
    return _Text(frozenset(found), frozenset(found & _COMPLAINT_TOKENS))


def _score(x: _Text, y: _Text) -> float:
    if not x.bag or not y.bag:
        return 0.0
    score = 2 * len(x.bag & y.bag) / (len(x.bag) + len(y.bag))
    if x.complaints and y.complaints and x.complaints.isdisjoint(y.complaints):
        score *= DISJOINT
    return score


def text_similarity(a: str, b: str) -> float:
    """How alike two complaint texts are, 0..1 (see the module docstring)."""
    return _score(_read(a), _read(b))


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# --- the data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    issue_id: int
    category_id: int
    station_id: int
    text: str
    created_at: int  # unix seconds
    reporter_id: int
    supporter_ids: frozenset[int] = frozenset()
    lat: float | None = None
    lon: float | None = None


def _age(c: Candidate) -> tuple[int, int]:
    return (c.created_at, c.issue_id)


@dataclass(frozen=True)
class Hotspot:
    issues: tuple[Candidate, ...]  # oldest first
    typical: Candidate  # the member most like the others (ties: the older)

    @property
    def count(self) -> int:
        return len(self.issues)

    @property
    def category_id(self) -> int:
        return self.issues[0].category_id

    @property
    def station_ids(self) -> tuple[int, ...]:
        """Distinct stations, in order of their first issue."""
        return tuple(dict.fromkeys(c.station_id for c in self.issues))

    @property
    def people(self) -> int:
        """Distinct residents behind it: reporters and 附议 supporters."""
        who: set[int] = set()
        for c in self.issues:
            who.add(c.reporter_id)
            who.update(c.supporter_ids)
        return len(who)

    @property
    def supporters(self) -> int:
        return sum(len(c.supporter_ids) for c in self.issues)

    @property
    def first_at(self) -> int:
        return min(c.created_at for c in self.issues)

    @property
    def last_at(self) -> int:
        return max(c.created_at for c in self.issues)

    @property
    def key(self) -> int:
        """The smallest issue id: a button keeps working while newer issues join."""
        return min(c.issue_id for c in self.issues)

    @property
    def strength(self) -> tuple[int, int, int, int]:
        """Sort key, larger is stronger: people, issues, stations, most recent issue."""
        return (self.people, self.count, len(self.station_ids), self.last_at)


# --- grouping -------------------------------------------------------------------------------


def _check(threshold: float, radius_m: float | None, min_issues: int) -> None:
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if radius_m is not None and radius_m < 0:
        raise ValueError(f"radius_m must be >= 0, got {radius_m}")
    if min_issues < 1:
        raise ValueError(f"min_issues must be >= 1, got {min_issues}")


def _sorted_unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    items = sorted(candidates, key=_age)
    if len({c.issue_id for c in items}) != len(items):
        raise ValueError("an issue id is given twice")
    return items


_Place = tuple[float, float]


class _Bucket:
    """One category's issues, oldest first, read once.

    Issues with the same features (and, with a radius, the same place) form one *node*:
    copies score 1 with each other, so average-link would merge them first anyway, and
    grouping nodes weighted by their size gives the same groups with far fewer pairs when
    residents paste the same text. Nodes are numbered in the order of their oldest issue.
    Texts left with no features (pure filler) never link and are in no node."""

    def __init__(self, items: Sequence[Candidate], radius_m: float | None) -> None:
        self.items = items
        self.radius_m = radius_m
        self.members: list[list[int]] = []  # node -> its issues (indices into items)
        self.texts: list[_Text] = []
        self.places: list[_Place | None] = []
        node_of: dict[tuple[frozenset[str], _Place | None], int] = {}
        read: dict[str, _Text] = {}
        for i, c in enumerate(items):
            text = read.get(c.text) or read.setdefault(c.text, _read(c.text))
            if not text.bag:
                continue
            place = None if c.lat is None or c.lon is None else (c.lat, c.lon)
            key = (text.bag, place if radius_m is not None else None)
            node = node_of.setdefault(key, len(self.members))
            if node == len(self.members):
                self.members.append([])
                self.texts.append(text)
                self.places.append(place)
            self.members[node].append(i)
        self.size = [len(m) for m in self.members]
        self._sims: dict[tuple[int, int], float] = {}  # pairs that do not link
        self.linked: dict[int, dict[int, float]] = {}  # filled by links()

    def sim(self, x: int, y: int) -> float:
        row = self.linked.get(x)
        if row is not None and y in row:
            return row[y]
        pair = (x, y) if x < y else (y, x)
        value = self._sims.get(pair)
        if value is None:
            value = self._sims[pair] = _score(self.texts[x], self.texts[y])
        return value

    def near(self, x: int, y: int) -> bool:
        """Within the radius, or no radius, or one of them has no location."""
        p, q = self.places[x], self.places[y]
        if self.radius_m is None or p is None or q is None:
            return True
        if abs(p[0] - q[0]) * _METRES_PER_DEGREE > self.radius_m + 1:
            return False  # the north-south gap alone is too far (1 m spare for rounding)
        return distance_m(p[0], p[1], q[0], q[1]) <= self.radius_m

    def far_apart(self, xs: Sequence[int], ys: Sequence[int]) -> bool:
        return self.radius_m is not None and not all(self.near(x, y) for x in xs for y in ys)

    def cross_sum(self, xs: Sequence[int], ys: Sequence[int]) -> float:
        """Similarity summed over every pair of issues between two sets of nodes."""
        size, sim = self.size, self.sim
        return sum(size[x] * size[y] * sim(x, y) for x in xs for y in ys)

    def links(self, threshold: float) -> dict[int, dict[int, float]]:
        """Every pair of nodes with similarity >= threshold that is near, by prefix filtering.

        Features are ordered rarest first. A pair scoring >= t shares at least
        t*|x|/(2-t) of each text's features (|x|: the size of its bag), so its first shared
        feature lies among the first |x| - that + 1 features of both, and only those
        prefixes are indexed and looked up."""
        frequency: dict[str, int] = defaultdict(int)
        for text in self.texts:
            for feature in text.bag:
                frequency[feature] += 1
        index: dict[str, list[int]] = defaultdict(list)
        linked: dict[int, dict[int, float]] = defaultdict(dict)
        texts, anywhere = self.texts, self.radius_m is None
        for x, text in enumerate(texts):
            bag, n, complaints = text.bag, len(text.bag), text.complaints
            overlap = max(1, math.ceil(threshold * n / (2 - threshold) - 1e-9))
            prefix = sorted(bag, key=lambda f: (frequency[f], f))[: n - overlap + 1]
            seen: set[int] = set()
            for feature in prefix:
                for y in index[feature]:
                    if y in seen:
                        continue
                    seen.add(y)
                    other = texts[y]
                    shared = len(bag & other.bag)
                    if shared < overlap:  # cannot reach the threshold
                        continue
                    score = 2 * shared / (n + len(other.bag))  # _score, inlined for speed
                    if complaints and other.complaints and complaints.isdisjoint(other.complaints):
                        score *= DISJOINT
                    if score >= threshold and (anywhere or self.near(x, y)):
                        linked[x][y] = linked[y][x] = score
                index[feature].append(x)
        self.linked = linked
        return linked


def _components(bucket: _Bucket, linked: dict[int, dict[int, float]]) -> list[list[int]]:
    """Connected pieces of the link graph that hold at least two issues, nodes ascending."""
    seen: set[int] = set()
    pieces: list[list[int]] = []
    for start in range(len(bucket.members)):
        if start in seen or (start not in linked and bucket.size[start] == 1):
            continue
        seen.add(start)
        piece, stack = [start], [start]
        while stack:
            for y in linked.get(stack.pop(), {}):
                if y not in seen:
                    seen.add(y)
                    piece.append(y)
                    stack.append(y)
        pieces.append(sorted(piece))
    return pieces


def _average_link(
    bucket: _Bucket, nodes: list[int], linked: dict[int, dict[int, float]], floor: float
) -> list[list[int]]:
    """Merge one component's nodes into groups (see the module docstring), with the
    nearest-neighbour chain: follow each group to its most similar mergeable group until
    two groups are each other's choice, and merge those."""
    size = bucket.size
    groups: dict[int, list[int]] = {x: [x] for x in nodes}  # named by the oldest node
    issues = {x: size[x] for x in nodes}  # how many issues each group holds
    # similarity summed over the issue pairs between two groups: linked, mergeable ones only
    sums: dict[int, dict[int, float]] = {
        x: {y: size[x] * size[y] * s for y, s in linked.get(x, {}).items()} for x in nodes
    }
    blocked: set[tuple[int, int]] = set()  # too far apart ever to merge
    done: list[list[int]] = []

    def choice(a: int, previous: int | None) -> int | None:
        """The most similar group `a` may merge with (ties: the one it came from, then the
        older), or None."""
        while True:
            row, n = sums[a], issues[a]
            w, best = None, floor
            for v, total in row.items():
                m = total / (n * issues[v])
                if m > best or (
                    m == best and (w is None or v == previous or (w != previous and v < w))
                ):
                    w, best = v, m
            if w is None:
                return None
            if not bucket.far_apart(groups[a], groups[w]):
                return w
            del row[w], sums[w][a]
            blocked.add((min(a, w), max(a, w)))

    def merge(a: int, b: int) -> None:
        a, b = min(a, b), max(a, b)  # the older name stays
        row_a, row_b = sums[a], sums.pop(b)
        merged: dict[int, float] = {}
        for w in (row_a.keys() | row_b.keys()) - {a, b}:
            sums[w].pop(b, None)
            if blocked and ((min(a, w), max(a, w)) in blocked or (min(b, w), max(b, w)) in blocked):
                blocked.add((min(a, w), max(a, w)))
                sums[w].pop(a, None)
                continue
            from_a, from_b = row_a.get(w), row_b.get(w)
            merged[w] = (bucket.cross_sum(groups[a], groups[w]) if from_a is None else from_a) + (
                bucket.cross_sum(groups[b], groups[w]) if from_b is None else from_b
            )
        for w, total in merged.items():
            sums[w][a] = total
        sums[a] = merged
        groups[a] += groups.pop(b)
        issues[a] += issues.pop(b)

    chain: list[int] = []
    order, next_start = nodes, 0  # every group named below order[next_start] is done
    while groups:
        if not chain:
            while order[next_start] not in groups:
                next_start += 1
            chain.append(order[next_start])
        a = chain[-1]
        previous = chain[-2] if len(chain) > 1 else None
        b = choice(a, previous)
        if b is None:  # nothing to merge with, now or later
            chain.pop()
            for w in sums.pop(a):
                sums[w].pop(a, None)
            done.append(sorted(groups.pop(a)))
            del issues[a]
        elif b == previous:
            chain.pop()
            chain.pop()
            merge(a, b)
        elif b in chain:  # only when a merge made a group more alike than its parts
            del chain[chain.index(b) + 1 :]
            chain.append(a)
        else:
            chain.append(b)
    return done


def _typical(bucket: _Bucket, group: list[int]) -> int:
    """The issue with the highest mean similarity to the group's others (copies of its
    text count 1); ties go to the older. Returns an index into the bucket's items."""
    size, sim = bucket.size, bucket.sim
    best, best_score = bucket.members[group[0]][0], -1.0
    for x in group:  # nodes in the order of their oldest issue; only a higher score wins
        row = bucket.linked.get(x, {})
        score = (
            size[x]
            - 1
            + sum(size[y] * (row[y] if y in row else sim(x, y)) for y in group if y != x)
        )
        if score > best_score:
            best, best_score = bucket.members[x][0], score
    return best


def _bucket_hotspots(
    items: Sequence[Candidate], threshold: float, radius_m: float | None, min_issues: int
) -> list[Hotspot]:
    bucket = _Bucket(items, radius_m)
    linked = bucket.links(threshold)
    hotspots: list[Hotspot] = []
    grouped: set[int] = set()
    for component in _components(bucket, linked):
        for group in _average_link(bucket, component, linked, threshold * LINKAGE):
            members = sorted(i for x in group for i in bucket.members[x])
            grouped.update(members)
            if len(members) >= min_issues:
                typical = items[_typical(bucket, group)]
                hotspots.append(Hotspot(tuple(items[i] for i in members), typical))
    if min_issues == 1:  # then an issue in no group is a hotspot of its own
        hotspots.extend(Hotspot((c,), c) for i, c in enumerate(items) if i not in grouped)
    return hotspots


def _strongest_first(hotspot: Hotspot) -> tuple[int, int, int, int, int]:
    return (*hotspot.strength, -hotspot.key)


def find_hotspots(
    candidates: Iterable[Candidate],
    *,
    threshold: float = THRESHOLD,
    radius_m: float | None = None,
    min_issues: int = 2,
) -> list[Hotspot]:
    """Groups of similar issues of one category, strongest first (see the module docstring).
    Equally strong hotspots come in the order of their keys."""
    _check(threshold, radius_m, min_issues)
    by_category: dict[int, list[Candidate]] = defaultdict(list)
    for c in _sorted_unique(candidates):
        by_category[c.category_id].append(c)
    found: list[Hotspot] = []
    for category in sorted(by_category):
        found.extend(_bucket_hotspots(by_category[category], threshold, radius_m, min_issues))
    return sorted(found, key=_strongest_first, reverse=True)


def hotspot_of(
    candidates: Iterable[Candidate],
    issue_id: int,
    *,
    threshold: float = THRESHOLD,
    radius_m: float | None = None,
    min_issues: int = 2,
) -> Hotspot | None:
    """The hotspot `find_hotspots` would put this issue in, or None (also when the issue is
    not among the candidates). Only its category is grouped: categories never mix."""
    _check(threshold, radius_m, min_issues)
    items = _sorted_unique(candidates)
    target = next((c for c in items if c.issue_id == issue_id), None)
    if target is None:
        return None
    same = [c for c in items if c.category_id == target.category_id]
    for hotspot in _bucket_hotspots(same, threshold, radius_m, min_issues):
        if any(c.issue_id == issue_id for c in hotspot.issues):
            return hotspot
    return None
