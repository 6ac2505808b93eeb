import pytest

from bff.domain.regions import (
    ADMISSION_REGIONS,
    CITY_PROVINCE,
    MUNICIPALITIES,
    PROVINCE_ALIASES,
    PROVINCE_CITIES,
    AdmissionRegion,
    NormalisedRegion,
    is_covered,
    is_region_covered,
    normalise_region,
)

# (province field, city field, normalised province, normalised city, covered)
SPELLINGS = [
    ("广东", "", "广东省", None, True, "guangdong-short-form-is-covered"),
    ("广东省", "", "广东省", None, True, "guangdong-full-name-is-covered"),
    ("广东省", "深圳市", "广东省", "深圳市", True, "guangdong-with-city-is-covered"),
    ("广东", "深圳", "广东省", "深圳市", True, "guangdong-short-city-normalised"),
    (
        "广东省深圳市南山区",
        "",
        "广东省",
        "深圳市",
        True,
        "guangdong-full-address-in-province-field-is-covered",
    ),
    ("吉林省长春市", "", "吉林省", "长春市", True, "jilin-changchun-in-province-field-is-covered"),
    ("吉林长春", "", "吉林省", "长春市", True, "jilin-changchun-short-in-province-field-is-covered"),
    ("吉林省", "长春市", "吉林省", "长春市", True, "jilin-with-changchun-city-is-covered"),
    ("吉林", "长春", "吉林省", "长春市", True, "jilin-short-with-changchun-short-is-covered"),
    ("吉林省", "吉林省长春市", "吉林省", "长春市", True, "city-field-repeating-province-is-covered"),
    ("", "长春", "吉林省", "长春市", True, "changchun-alone-in-city-field-is-covered"),
    ("", "长春市", "吉林省", "长春市", True, "changchun-full-alone-in-city-field-is-covered"),
    ("长春", "", "吉林省", "长春市", True, "changchun-alone-in-province-field-is-covered"),
    ("长春市", "", "吉林省", "长春市", True, "changchun-full-alone-in-province-field-is-covered"),
    ("吉林省", "九台区", "吉林省", "长春市", True, "changchun-district-in-city-field-is-covered"),
    ("吉林省", "朝阳区", "吉林省", "长春市", True, "changchun-chaoyang-district-is-covered"),
    ("吉林省长春市", "朝阳区", "吉林省", "长春市", True, "changchun-with-district-city-field-is-covered"),
    ("吉林省", "", "吉林省", None, False, "jilin-without-city-is-not-covered"),
    ("吉林", "", "吉林省", None, False, "jilin-short-without-city-is-not-covered"),
    ("吉林省", "某某镇", "吉林省", None, False, "jilin-with-unrecognised-city-is-not-covered"),
    ("吉林省", "吉林市", "吉林省", "吉林市", False, "jilin-city-is-not-covered"),
    ("吉林", "吉林", "吉林省", "吉林市", False, "jilin-short-jilin-short-is-jilin-city-not-covered"),
    ("吉林市", "", "吉林省", "吉林市", False, "jilin-city-alone-is-not-covered"),
    ("吉林省吉林市", "", "吉林省", "吉林市", False, "jilin-city-in-province-field-is-not-covered"),
    ("吉林省", "延边州", "吉林省", "延边朝鲜族自治州", False, "yanbian-is-not-covered"),
    ("吉林省长春市", "吉林市", "吉林省", None, False, "contradicting-cities-are-not-covered"),
    ("辽宁省沈阳市", "", "辽宁省", "沈阳市", True, "liaoning-shenyang-in-province-field-is-covered"),
    ("辽宁", "沈阳", "辽宁省", "沈阳市", True, "liaoning-short-with-shenyang-short-is-covered"),
    ("辽宁省", "沈河区", "辽宁省", "沈阳市", True, "shenyang-district-is-covered"),
    ("", "沈阳市", "辽宁省", "沈阳市", True, "shenyang-alone-is-covered"),
    ("辽宁省", "大连", "辽宁省", "大连市", False, "dalian-is-not-covered"),
    ("辽宁省大连市", "", "辽宁省", "大连市", False, "dalian-in-province-field-is-not-covered"),
    ("", "大连", "辽宁省", "大连市", False, "dalian-alone-is-not-covered"),
    ("辽宁省", "", "辽宁省", None, False, "liaoning-without-city-is-not-covered"),
    ("辽宁省", "朝阳市", "辽宁省", "朝阳市", False, "liaoning-chaoyang-city-is-not-covered"),
    ("辽宁省", "朝阳区", "辽宁省", None, False, "chaoyang-district-is-not-chaoyang-city-in-liaoning"),
    ("辽宁省", "铁西区", "辽宁省", None, False, "ambiguous-tiexi-district-is-not-covered"),
    ("广西", "", "广西壮族自治区", None, True, "guangxi-short-is-covered"),
    ("广西壮族自治区", "南宁市", "广西壮族自治区", "南宁市", True, "guangxi-full-is-covered"),
    ("广西自治区", "南宁", "广西壮族自治区", "南宁市", True, "guangxi-without-ethnic-name-is-covered"),
    ("北京", "", "北京市", "北京市", True, "beijing-short-is-covered"),
    ("北京市", "", "北京市", "北京市", True, "beijing-full-is-covered"),
    ("北京市", "朝阳区", "北京市", "北京市", True, "beijing-any-district-is-covered"),
    ("北京市朝阳区", "", "北京市", "北京市", True, "beijing-district-in-province-field-is-covered"),
    ("", "北京市", "北京市", "北京市", True, "beijing-in-city-field-is-covered"),
    ("重庆", "渝中区", "重庆市", "重庆市", True, "chongqing-short-is-covered"),
    ("上海", "浦东新区", "上海市", "上海市", True, "shanghai-is-covered"),
    ("天津市", "滨海新区", "天津市", "天津市", True, "tianjin-is-covered"),
    ("内蒙古", "", "内蒙古自治区", None, False, "inner-mongolia-is-not-covered"),
    ("内蒙古自治区", "呼和浩特", "内蒙古自治区", "呼和浩特市", False, "hohhot-is-not-covered"),
    ("新疆", "", "新疆维吾尔自治区", None, False, "xinjiang-is-not-covered"),
    ("新疆", "巴州", "新疆维吾尔自治区", "巴音郭楞蒙古自治州", False, "bazhou-abbreviation-recognised"),
    ("西藏", "", "西藏自治区", None, False, "tibet-is-not-covered"),
    ("宁夏", "银川", "宁夏回族自治区", "银川市", False, "ningxia-is-not-covered"),
    ("香港", "", "香港特别行政区", None, False, "hong-kong-is-not-covered"),
    ("中国香港", "", "香港特别行政区", None, False, "hong-kong-with-country-is-not-covered"),
    ("澳门特别行政区", "", "澳门特别行政区", None, False, "macao-is-not-covered"),
    ("台湾", "", "台湾省", None, False, "taiwan-is-not-covered"),
    ("黑龙江省", "哈尔滨市", "黑龙江省", "哈尔滨市", False, "heilongjiang-is-not-covered"),
    ("海南", "", "海南省", None, True, "hainan-province-short-is-covered"),
    ("海南省", "海口", "海南省", "海口市", True, "hainan-haikou-is-covered"),
    ("青海省", "海南州", "青海省", "海南藏族自治州", False, "qinghai-hainan-prefecture-is-not-covered"),
    ("海南州", "", "青海省", "海南藏族自治州", False, "hainan-prefecture-alone-is-qinghai"),
    ("广东省", "长春市", "广东省", None, True, "city-of-another-province-is-dropped"),
    ("  广东省 ", " 深圳市  ", "广东省", "深圳市", True, "spaces-around-are-ignored"),
    ("吉林省 长春市", "", "吉林省", "长春市", True, "spaces-inside-are-ignored"),
    ("\u3000辽宁省\u3000", "沈阳市", "辽宁省", "沈阳市", True, "ideographic-spaces-are-ignored"),
    ("火星", "", None, None, False, "unknown-province-is-not-covered"),
    ("火星", "长春", None, None, False, "unknown-province-is-not-rescued-by-city"),
    ("", "", None, None, False, "empty-is-not-covered"),
    ("  ", "", None, None, False, "blank-is-not-covered"),
    ("", "朝阳区", None, None, False, "district-alone-is-not-recognised"),
]


@pytest.mark.parametrize(
    ("province", "city", "expected_province", "expected_city", "covered"),
    [case[:5] for case in SPELLINGS],
    ids=[case[5] for case in SPELLINGS],
)
def test_spellings_are_normalised_and_covered_by_the_rule(
    province: str, city: str, expected_province: str | None, expected_city: str | None, covered: bool
) -> None:
    assert normalise_region(province, city) == NormalisedRegion(expected_province, expected_city)
    assert is_region_covered(province, city) is covered


def test_admission_table_is_the_manuals_list_in_order() -> None:
    expected = (
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
    assert expected == ADMISSION_REGIONS


def test_admission_table_uses_only_known_official_names() -> None:
    for region in ADMISSION_REGIONS:
        assert region.province in PROVINCE_ALIASES
        for city in region.cities:
            assert CITY_PROVINCE[city] == region.province


def test_table_holds_all_34_provincial_divisions_and_333_prefectures() -> None:
    assert len(PROVINCE_ALIASES) == 34
    assert len(MUNICIPALITIES) == 4
    assert len(CITY_PROVINCE) == 333
    assert len(PROVINCE_CITIES["吉林省"]) == 9
    assert len(PROVINCE_CITIES["辽宁省"]) == 14


@pytest.mark.parametrize(
    ("official", "spelling"),
    [
        (official, spelling)
        for official, aliases in PROVINCE_ALIASES.items()
        for spelling in (official, *aliases)
    ],
    ids=lambda value: str(value),
)
def test_every_province_spelling_normalises_to_its_official_name(official: str, spelling: str) -> None:
    assert normalise_region(spelling, "").province == official
    assert normalise_region(f" {spelling} ", "").province == official


@pytest.mark.parametrize(
    "city", sorted(CITY_PROVINCE), ids=lambda city: f"{city}-normalises-alone-and-with-its-province"
)
def test_every_prefecture_normalises_alone_and_with_its_province(city: str) -> None:
    province = CITY_PROVINCE[city]
    expected = NormalisedRegion(province, city)
    assert normalise_region(province, city) == expected
    assert normalise_region(province + city, "") == expected
    assert normalise_region("", city) == expected


@pytest.mark.parametrize(
    "city", PROVINCE_CITIES["吉林省"] + PROVINCE_CITIES["辽宁省"], ids=lambda city: f"{city}-short-form"
)
def test_jilin_and_liaoning_cities_are_recognised_in_short_form(city: str) -> None:
    short = city.removesuffix("市").removesuffix("朝鲜族自治州")
    region = normalise_region(CITY_PROVINCE[city], short)
    assert region.city == city
    assert is_covered(region) is (city in {"长春市", "沈阳市"})


@pytest.mark.parametrize(
    "region",
    [r for r in ADMISSION_REGIONS if not r.cities],
    ids=lambda r: f"{r.province}-is-covered-whole",
)
def test_whole_province_entries_are_covered_without_a_city(region: AdmissionRegion) -> None:
    assert is_region_covered(region.province, "")
