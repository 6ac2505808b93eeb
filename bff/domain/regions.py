"""Where a supplier is registered: name normalisation and the admission region table (业务开放地区).

Upstream systems spell places freely (`广东`, `广东省`, `吉林省长春市`, `长春`, the whole name in the province
field and an empty city…). Every spelling is normalised to official full names first; coverage is then
decided on the normalised names only, so an unrecognised place is never covered by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AdmissionRegion:
    """A province open for admission; `cities` lists the only covered cities, empty when all are."""

    province: str
    cities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NormalisedRegion:
    """Official full names, or None where the input was missing or not recognised.

    For a municipality (北京市, 上海市, 天津市, 重庆市) the city is the municipality itself.
    """

    province: str | None
    city: str | None


# In the manual's order.
ADMISSION_REGIONS: tuple[AdmissionRegion, ...] = (
    AdmissionRegion("广东省"),
    AdmissionRegion("湖南省"),
    AdmissionRegion("陕西省"),
    AdmissionRegion("天津市"),
    AdmissionRegion("河南省"),
    AdmissionRegion("吉林省", ("长春市",)),
    AdmissionRegion("河北省"),
    AdmissionRegion("江苏省"),
    AdmissionRegion("云南省"),
    AdmissionRegion("浙江省"),
    AdmissionRegion("重庆市"),
    AdmissionRegion("四川省"),
    AdmissionRegion("福建省"),
    AdmissionRegion("海南省"),
    AdmissionRegion("江西省"),
    AdmissionRegion("安徽省"),
    AdmissionRegion("山西省"),
    AdmissionRegion("辽宁省", ("沈阳市",)),
    AdmissionRegion("北京市"),
    AdmissionRegion("上海市"),
    AdmissionRegion("山东省"),
    AdmissionRegion("湖北省"),
    AdmissionRegion("贵州省"),
    AdmissionRegion("广西壮族自治区"),
)

MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})

# All 34 provincial-level divisions: official full name → the other spellings met in practice.
PROVINCE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "北京市": ("北京",),
    "天津市": ("天津",),
    "上海市": ("上海",),
    "重庆市": ("重庆",),
    "河北省": ("河北",),
    "山西省": ("山西",),
    "辽宁省": ("辽宁",),
    "吉林省": ("吉林",),
    "黑龙江省": ("黑龙江",),
    "江苏省": ("江苏",),
    "浙江省": ("浙江",),
    "安徽省": ("安徽",),
    "福建省": ("福建",),
    "江西省": ("江西",),
    "山东省": ("山东",),
    "河南省": ("河南",),
    "湖北省": ("湖北",),
    "湖南省": ("湖南",),
    "广东省": ("广东",),
    "海南省": ("海南",),
    "四川省": ("四川",),
    "贵州省": ("贵州",),
    "云南省": ("云南",),
    "陕西省": ("陕西",),
    "甘肃省": ("甘肃",),
    "青海省": ("青海",),
    "台湾省": ("台湾",),
    "内蒙古自治区": ("内蒙古", "内蒙"),
    "广西壮族自治区": ("广西", "广西自治区"),
    "西藏自治区": ("西藏",),
    "宁夏回族自治区": ("宁夏", "宁夏自治区"),
    "新疆维吾尔自治区": ("新疆", "新疆自治区", "新疆维吾尔族自治区"),
    "香港特别行政区": ("香港", "香港特区"),
    "澳门特别行政区": ("澳门", "澳门特区"),
}

# Prefecture-level divisions per province (民政部 list). Names ending in 市, 地区 or 盟 get their short form
# by dropping the suffix; an autonomous prefecture (自治州) is written `full/short` and is also known as
# `short州` (延边州).
_PREFECTURES: Mapping[str, str] = {
    "河北省": "石家庄市 唐山市 秦皇岛市 邯郸市 邢台市 保定市 张家口市 承德市 沧州市 廊坊市 衡水市",
    "山西省": "太原市 大同市 阳泉市 长治市 晋城市 朔州市 晋中市 运城市 忻州市 临汾市 吕梁市",
    "内蒙古自治区": "呼和浩特市 包头市 乌海市 赤峰市 通辽市 鄂尔多斯市 呼伦贝尔市 巴彦淖尔市 乌兰察布市"
    " 兴安盟 锡林郭勒盟 阿拉善盟",
    "辽宁省": "沈阳市 大连市 鞍山市 抚顺市 本溪市 丹东市 锦州市 营口市 阜新市 辽阳市 盘锦市 铁岭市 朝阳市"
    " 葫芦岛市",
    "吉林省": "长春市 吉林市 四平市 辽源市 通化市 白山市 松原市 白城市 延边朝鲜族自治州/延边",
    "黑龙江省": "哈尔滨市 齐齐哈尔市 鸡西市 鹤岗市 双鸭山市 大庆市 伊春市 佳木斯市 七台河市 牡丹江市"
    " 黑河市 绥化市 大兴安岭地区",
    "江苏省": "南京市 无锡市 徐州市 常州市 苏州市 南通市 连云港市 淮安市 盐城市 扬州市 镇江市 泰州市 宿迁市",
    "浙江省": "杭州市 宁波市 温州市 嘉兴市 湖州市 绍兴市 金华市 衢州市 舟山市 台州市 丽水市",
    "安徽省": "合肥市 芜湖市 蚌埠市 淮南市 马鞍山市 淮北市 铜陵市 安庆市 黄山市 滁州市 阜阳市 宿州市"
    " 六安市 亳州市 池州市 宣城市",
    "福建省": "福州市 厦门市 莆田市 三明市 泉州市 漳州市 南平市 龙岩市 宁德市",
    "江西省": "南昌市 景德镇市 萍乡市 九江市 新余市 鹰潭市 赣州市 吉安市 宜春市 抚州市 上饶市",
    "山东省": "济南市 青岛市 淄博市 枣庄市 东营市 烟台市 潍坊市 济宁市 泰安市 威海市 日照市 临沂市"
    " 德州市 聊城市 滨州市 菏泽市",
    "河南省": "郑州市 开封市 洛阳市 平顶山市 安阳市 鹤壁市 新乡市 焦作市 濮阳市 许昌市 漯河市 三门峡市"
    " 南阳市 商丘市 信阳市 周口市 驻马店市",
    "湖北省": "武汉市 黄石市 十堰市 宜昌市 襄阳市 鄂州市 荆门市 孝感市 荆州市 黄冈市 咸宁市 随州市"
    " 恩施土家族苗族自治州/恩施",
    "湖南省": "长沙市 株洲市 湘潭市 衡阳市 邵阳市 岳阳市 常德市 张家界市 益阳市 郴州市 永州市 怀化市"
    " 娄底市 湘西土家族苗族自治州/湘西",
    "广东省": "广州市 韶关市 深圳市 珠海市 汕头市 佛山市 江门市 湛江市 茂名市 肇庆市 惠州市 梅州市"
    " 汕尾市 河源市 阳江市 清远市 东莞市 中山市 潮州市 揭阳市 云浮市",
    "广西壮族自治区": "南宁市 柳州市 桂林市 梧州市 北海市 防城港市 钦州市 贵港市 玉林市 百色市 贺州市"
    " 河池市 来宾市 崇左市",
    "海南省": "海口市 三亚市 三沙市 儋州市",
    "四川省": "成都市 自贡市 攀枝花市 泸州市 德阳市 绵阳市 广元市 遂宁市 内江市 乐山市 南充市 眉山市"
    " 宜宾市 广安市 达州市 雅安市 巴中市 资阳市 阿坝藏族羌族自治州/阿坝 甘孜藏族自治州/甘孜"
    " 凉山彝族自治州/凉山",
    "贵州省": "贵阳市 六盘水市 遵义市 安顺市 毕节市 铜仁市 黔西南布依族苗族自治州/黔西南"
    " 黔东南苗族侗族自治州/黔东南 黔南布依族苗族自治州/黔南",
    "云南省": "昆明市 曲靖市 玉溪市 保山市 昭通市 丽江市 普洱市 临沧市 楚雄彝族自治州/楚雄"
    " 红河哈尼族彝族自治州/红河 文山壮族苗族自治州/文山 西双版纳傣族自治州/西双版纳 大理白族自治州/大理"
    " 德宏傣族景颇族自治州/德宏 怒江傈僳族自治州/怒江 迪庆藏族自治州/迪庆",
    "西藏自治区": "拉萨市 日喀则市 昌都市 林芝市 山南市 那曲市 阿里地区",
    "陕西省": "西安市 铜川市 宝鸡市 咸阳市 渭南市 延安市 汉中市 榆林市 安康市 商洛市",
    "甘肃省": "兰州市 嘉峪关市 金昌市 白银市 天水市 武威市 张掖市 平凉市 酒泉市 庆阳市 定西市 陇南市"
    " 临夏回族自治州/临夏 甘南藏族自治州/甘南",
    "青海省": "西宁市 海东市 海北藏族自治州/海北 黄南藏族自治州/黄南 海南藏族自治州/海南"
    " 果洛藏族自治州/果洛 玉树藏族自治州/玉树 海西蒙古族藏族自治州/海西",
    "宁夏回族自治区": "银川市 石嘴山市 吴忠市 固原市 中卫市",
    "新疆维吾尔自治区": "乌鲁木齐市 克拉玛依市 吐鲁番市 哈密市 昌吉回族自治州/昌吉"
    " 博尔塔拉蒙古自治州/博尔塔拉 巴音郭楞蒙古自治州/巴音郭楞 阿克苏地区"
    " 克孜勒苏柯尔克孜自治州/克孜勒苏 喀什地区 和田地区 伊犁哈萨克自治州/伊犁 塔城地区 阿勒泰地区",
}

# Common abbreviations of autonomous prefectures that are not `short州`.
_EXTRA_CITY_ALIASES: Mapping[str, tuple[str, ...]] = {
    "博尔塔拉蒙古自治州": ("博州",),
    "巴音郭楞蒙古自治州": ("巴州",),
    "克孜勒苏柯尔克孜自治州": ("克州",),
}

# Districts and county-level units of the two cities that are open within an otherwise closed province, so
# that a city field holding only a district (`九台区`) still counts. 铁西区 is left out: 鞍山 has one too.
_DISTRICT_NAMES: Mapping[str, tuple[str, str]] = {
    "吉林省": ("长春市", "南关区 宽城区 朝阳区 二道区 绿园区 双阳区 九台区 榆树市 德惠市 公主岭市 农安县"),
    "辽宁省": (
        "沈阳市",
        "和平区 沈河区 大东区 皇姑区 苏家屯区 浑南区 沈北新区 于洪区 辽中区 新民市 康平县 法库县",
    ),
}
_DISTRICTS: Mapping[str, Mapping[str, str]] = {
    province: dict.fromkeys(names.split(), city) for province, (city, names) in _DISTRICT_NAMES.items()
}

# Suffixes that make a name unambiguously a city (吉林市, 海南州) rather than a province (吉林, 海南).
_CITY_SUFFIXES = ("市", "州", "地区", "盟")
# A short name followed by one of these is a province, county or street, not the city: 朝阳区 is not 朝阳市,
# 吉林省 is not 吉林市.
_NOT_A_CITY_FOLLOWERS = frozenset("省区县旗镇乡街路村")
_COUNTRY_PREFIXES = ("中华人民共和国", "中国")


def _city_aliases(entry: str) -> tuple[str, tuple[str, ...]]:
    """The official name of one `_PREFECTURES` entry and all its spellings, the official name first."""
    full, _, short = entry.partition("/")
    if short:
        spellings = [full, short, short + "州"]
    else:
        suffix = next(s for s in ("地区", "市", "盟") if full.endswith(s))
        spellings = [full, full.removesuffix(suffix)]
    spellings.extend(_EXTRA_CITY_ALIASES.get(full, ()))
    return full, tuple(spellings)


def _unambiguous(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Alias → official name, dropping any alias that names two different places."""
    found: dict[str, set[str]] = {}
    for alias, name in pairs:
        found.setdefault(alias, set()).add(name)
    return {alias: next(iter(names)) for alias, names in found.items() if len(names) == 1}


PROVINCE_CITIES: Mapping[str, tuple[str, ...]] = {
    province: tuple(_city_aliases(entry)[0] for entry in entries.split())
    for province, entries in _PREFECTURES.items()
}
CITY_PROVINCE: Mapping[str, str] = {
    city: province for province, cities in PROVINCE_CITIES.items() for city in cities
}

_PROVINCE_BY_ALIAS = _unambiguous(
    (alias, province) for province, aliases in PROVINCE_ALIASES.items() for alias in (province, *aliases)
)
_CITY_BY_ALIAS = _unambiguous(
    (alias, full)
    for entries in _PREFECTURES.values()
    for full, aliases in map(_city_aliases, entries.split())
    for alias in aliases
)
_CITY_BY_ALIAS_IN: Mapping[str, dict[str, str]] = {
    province: {alias: city for alias, city in _CITY_BY_ALIAS.items() if CITY_PROVINCE[city] == province}
    for province in PROVINCE_CITIES
}
_SUFFIXED_CITY_BY_ALIAS = {
    alias: city for alias, city in _CITY_BY_ALIAS.items() if alias.endswith(_CITY_SUFFIXES)
}
_COVERAGE: Mapping[str, AdmissionRegion] = {region.province: region for region in ADMISSION_REGIONS}


def normalise_region(province: str, city: str) -> NormalisedRegion:
    """Official names for a (province, city) pair in any of the usual spellings.

    The whole name may stand in `province` (`吉林省长春市`, city empty), only a city may be given
    (`长春`), and a city field may repeat the province or hold a district. A province that cannot be
    read makes the whole result unknown; a city contradicting the province field makes the city unknown.
    """
    province_text, city_text = _clean(province), _clean(city)
    if province_text:
        found_province, found_city = _parse(province_text)
        if found_province is None:
            return NormalisedRegion(None, None)
        if city_text:
            from_city_field = _parse_city_in(found_province, city_text)
            if found_city is None:
                found_city = from_city_field
            elif from_city_field is not None and from_city_field != found_city:
                found_city = None
    else:
        found_province, found_city = _parse(city_text)
    if found_province in MUNICIPALITIES:
        found_city = found_province
    return NormalisedRegion(found_province, found_city)


def is_covered(region: NormalisedRegion) -> bool:
    """Whether a normalised region is open for admission (a closed city of an open province is not)."""
    if region.province is None:
        return False
    entry = _COVERAGE.get(region.province)
    if entry is None:
        return False
    return not entry.cities or region.city in entry.cities


def is_region_covered(province: str, city: str) -> bool:
    return is_covered(normalise_region(province, city))


def admission_region(province: str) -> AdmissionRegion | None:
    """The admission table's entry for an official province name."""
    return _COVERAGE.get(province)


def _clean(text: str) -> str:
    cleaned = "".join(text.split())
    for prefix in _COUNTRY_PREFIXES:
        if cleaned.startswith(prefix):
            return cleaned.removeprefix(prefix)
    return cleaned


def _longest_prefix(
    text: str, table: Mapping[str, str], *, short_needs_boundary: bool
) -> tuple[str, str] | None:
    """The entry of `table` whose alias is the longest prefix of `text`, with the rest of `text`."""
    for length in range(len(text), 0, -1):
        name = table.get(text[:length])
        if name is None:
            continue
        rest = text[length:]
        is_short = not text[:length].endswith(_CITY_SUFFIXES)
        if short_needs_boundary and is_short and rest[:1] in _NOT_A_CITY_FOLLOWERS:
            continue
        return name, rest
    return None


def _parse(text: str) -> tuple[str | None, str | None]:
    """(province, city) from one string that starts with a province, a city, or a province and a city."""
    # 吉林市 and 海南州 are cities, not the provinces 吉林 and 海南 followed by a stray character.
    suffixed = _longest_prefix(text, _SUFFIXED_CITY_BY_ALIAS, short_needs_boundary=False)
    if suffixed is not None:
        return CITY_PROVINCE[suffixed[0]], suffixed[0]
    province = _longest_prefix(text, _PROVINCE_BY_ALIAS, short_needs_boundary=False)
    if province is not None:
        name, rest = province
        return name, _parse_city_in(name, rest)
    city = _longest_prefix(text, _CITY_BY_ALIAS, short_needs_boundary=True)
    if city is not None:
        return CITY_PROVINCE[city[0]], city[0]
    return None, None


def _parse_city_in(province: str, text: str) -> str | None:
    """The city of `province` that `text` names, `text` possibly repeating the province first."""
    if not text:
        return None
    city = _city_or_district(province, text)
    if city is not None:
        return city
    repeated = _longest_prefix(text, _PROVINCE_BY_ALIAS, short_needs_boundary=False)
    if repeated is not None and repeated[0] == province:
        return _city_or_district(province, repeated[1])
    return None


def _city_or_district(province: str, text: str) -> str | None:
    city = _longest_prefix(text, _CITY_BY_ALIAS_IN.get(province, {}), short_needs_boundary=True)
    if city is not None:
        return city[0]
    district = _longest_prefix(text, _DISTRICTS.get(province, {}), short_needs_boundary=False)
    return district[0] if district is not None else None
