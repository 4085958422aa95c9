"""Name pools: personal names from Faker's zh_CN data, fictional place, road and bank names.

Faker is only read for its lists; sampling is done with numpy so that a million households do not
cost a million Python calls, and so that the seed alone decides every name.
"""

from __future__ import annotations

import numpy as np
from faker.providers.person.zh_CN import Provider as _Person

# Surnames with their frequencies (王 7.17 %, 李 7.00 % …) so that common names are common.
SURNAMES: np.ndarray = np.array(list(_Person.last_names), dtype="U2")
_SURNAME_WEIGHTS = np.array(list(_Person.last_names.values()), dtype=np.float64)
SURNAME_P: np.ndarray = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()

# Faker's given names are the most common whole names (建国, 秀英 …); on their own they make every
# tenth man a 王伟, so half the names are composed from single characters instead.
_MALE_WHOLE = np.array(_Person.first_names_male, dtype="U2")
_FEMALE_WHOLE = np.array(_Person.first_names_female, dtype="U2")
_NEUTRAL = list("文明华春晓志永海嘉子佳俊思雨新立安宏德玉金国家云天")
_MALE_CHARS = np.array(sorted({c for n in _Person.first_names_male for c in n} | set(_NEUTRAL)), dtype="U1")
_FEMALE_CHARS = np.array(
    sorted({c for n in _Person.first_names_female for c in n} | set(_NEUTRAL)), dtype="U1"
)
WHOLE_NAME_SHARE = 0.5


def given_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """One given name per entry of ``male`` (a boolean array)."""
    n = male.shape[0]
    whole = np.where(
        male,
        _MALE_WHOLE[rng.integers(0, _MALE_WHOLE.size, n)],
        _FEMALE_WHOLE[rng.integers(0, _FEMALE_WHOLE.size, n)],
    )
    first = np.where(
        male,
        _MALE_CHARS[rng.integers(0, _MALE_CHARS.size, n)],
        _FEMALE_CHARS[rng.integers(0, _FEMALE_CHARS.size, n)],
    )
    second = np.where(
        male,
        _MALE_CHARS[rng.integers(0, _MALE_CHARS.size, n)],
        _FEMALE_CHARS[rng.integers(0, _FEMALE_CHARS.size, n)],
    )
    composed = np.strings.add(first, second)
    return np.where(rng.random(n) < WHOLE_NAME_SHARE, whole, composed)


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Indices into ``SURNAMES``: kept as integers so that children can inherit them cheaply."""
    return rng.choice(SURNAMES.size, size=n, p=SURNAME_P)


# --- places ------------------------------------------------------------------------------------

PROVINCE_NAME = "虚拟省"
CITY_NAME = "安和市"
COUNTY_NAME = "安和县"

STREETS = ["城关街道", "东城街道", "西城街道", "南湖街道", "北园街道", "文昌街道"]
TOWNS = [
    "青石镇", "柳河镇", "白沙镇", "黄岭镇", "清溪镇", "石桥镇", "枫林镇", "龙泉镇",
    "杏花镇", "桃源镇", "双河镇", "新集镇",
]  # fmt: skip
XIANG = ["云岭乡", "松坪乡", "梨园乡", "麻塘乡", "竹山乡", "高坪乡", "杨柳乡", "金竹乡"]

COMMUNITY_STEMS = [
    "幸福", "和平", "建设", "光明", "朝阳", "新华", "人民", "解放", "友谊", "团结",
    "胜利", "前进", "阳光", "锦绣", "明珠", "春晖", "丰收", "振兴", "育才", "翠园",
    "滨河", "花园", "长青", "康宁", "富民",
]  # fmt: skip
VILLAGE_STEMS = [
    "王家", "李庄", "张湾", "刘坪", "陈岭", "杨柳", "赵集", "黄泥", "周塘", "吴岗",
    "徐营", "孙桥", "马店", "朱寨", "胡湾", "郭庄", "何家", "高坡", "林场", "罗山",
    "梁河", "宋岭", "郑集", "谢坪", "韩庄", "唐湾", "冯岗", "于家", "董营", "萧山",
    "程塘", "曹桥", "袁店", "邓家", "许坪", "傅岭", "沈湾", "曾庄", "彭河", "吕家",
    "苏坡", "卢岗", "蒋营", "蔡集", "贾湾", "丁庄", "魏塘", "薛岭", "叶家", "阎坪",
]  # fmt: skip
ROADS = [
    "幸福路", "建设路", "人民路", "和平街", "解放路", "文化路", "新华街", "中山路",
    "青年路", "育才街", "滨河路", "长安街", "胜利路", "朝阳路", "迎宾大道", "工业路",
]  # fmt: skip
BANKS = [
    "中国农业银行安和县支行",
    "中国邮政储蓄银行安和县支行",
    "安和农村商业银行",
    "中国工商银行安和县支行",
    "中国建设银行安和县支行",
]
BANK_P = [0.35, 0.25, 0.25, 0.08, 0.07]
