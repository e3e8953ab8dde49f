"""The built-in demo roster: a fictional 五马街道 with the 14 community names of its published list,
two grids each (with a group chat), and made-up people and phone numbers (138-0000-xxxx)."""

from __future__ import annotations

from bot.roster import Chat, PersonRole, Roster, Unit

# (community name, id slug): the 14 communities of 五马街道 as listed in the domain spec.
COMMUNITIES: tuple[tuple[str, str], ...] = (
    ("八仙楼", "baxianlou"), ("百里坊", "bailifang"), ("城西街", "chengxijie"),
    ("乘凉", "chengliang"), ("府前", "fuqian"), ("朔门", "shuomen"), ("墨池", "mochi"),
    ("谢池", "xiechi"), ("鼓楼", "gulou"), ("安澜", "anlan"), ("路湾", "luwan"),
    ("十八家", "shibajia"), ("矮凳桥", "aidengqiao"), ("黎明西路", "limingxilu"),
)

# (short name used in chat commands, id slug, full name)
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("住建", "zhujian", "区住房和城乡建设局"),
    ("综合执法", "zhifa", "区综合行政执法局"),
    ("生态环境", "shengtai", "市生态环境局分局"),
    ("交通运输", "jiaotong", "区交通运输局"),
    ("教育体育", "jiaoyu", "区教育体育局"),
    ("人社", "renshe", "区人力资源和社会保障局"),
    ("商务", "shangwu", "区商务局"),
    ("卫健", "weijian", "区卫生健康局"),
    ("民政", "minzheng", "区民政局"),
    ("市场监管", "shichang", "区市场监督管理局"),
    ("公安", "gongan", "公安分局五马派出所"),
    ("应急", "yingji", "区应急管理局"),
)

_SURNAMES = "陈林黄周吴徐王张李郑潘叶金朱胡杨何高谢蔡"
_GIVEN = "晓建海丽文伟静敏志国红春明玲华军燕平芳杰"
GRIDS_PER_COMMUNITY = 2


class _Names:
    """Deterministic fictional names: surname + two given characters, never repeated."""

    def __init__(self) -> None:
        self._n = 0

    def next(self) -> str:
        # 7919 is coprime with 20**3, so n -> k is a permutation: no two people share a name.
        k = (self._n * 7919 + 1234) % len(_SURNAMES) ** 3
        self._n += 1
        s, g1, g2 = k % 20, (k // 20) % 20, k // 400
        return _SURNAMES[s] + _GIVEN[g1] + _GIVEN[g2]


def _phone(n: int) -> str:
    return f"1380000{n:04d}"


def demo_roster() -> Roster:
    """Build the demo roster (also available as CSV through `gridbot roster export`)."""
    names = _Names()
    units = [
        Unit("district", "示范区", "district"),
        Unit("wuma", "五马街道", "street", "district"),
    ]
    people: list[PersonRole] = []
    chats: list[Chat] = []
    serial = 0

    def person(pid: str, role: str, unit: str, im_user: str) -> None:
        nonlocal serial
        serial += 1
        people.append(PersonRole(pid, names.next(), role, unit, _phone(serial), im_user))

    person("p-street-secretary", "street_secretary", "wuma", "street-secretary")
    person("p-admin", "admin", "wuma", "admin")
    for index, (name, slug) in enumerate(COMMUNITIES):
        community = f"c-{slug}"
        grids = []
        for g in range(1, GRIDS_PER_COMMUNITY + 1):
            households = 300 + (index * 37 + g * 61) % 200
            grids.append(Unit(f"g-{slug}-{g}", f"{name}社区第{'一二三'[g - 1]}网格", "grid",
                              community, households))
        units.append(Unit(community, f"{name}社区", "community", "wuma",
                          sum(g.households or 0 for g in grids)))
        units.extend(grids)
        person(f"p-sec-{slug}", "community_secretary", community, f"sec-{slug}")
        person(f"p-cadre-{slug}", "cadre", community, f"cadre-{slug}")
        for g, grid in enumerate(grids, start=1):
            person(f"p-gw-{slug}-{g}", "grid_worker", grid.id, f"gw-{slug}-{g}")
            chats.append(Chat(f"demo-{slug}-{g}", grid.id, "demo", f"{grid.name}居民群"))
    for short, slug, _full_name in DEPARTMENTS:
        units.append(Unit(f"dept-{slug}", short, "department", "district"))
        person(f"p-dept-{slug}", "department_liaison", f"dept-{slug}", f"dept-{slug}")
    for _name, slug in COMMUNITIES[:2]:  # two street officials 包联 a community part-time
        person(f"p-baolian-{slug}", "sunk_cadre", f"c-{slug}", f"baolian-{slug}")
    return Roster(units, people, chats)
