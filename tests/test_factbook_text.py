"""Table-driven tests of the Factbook text parsers on hand-written ugly strings."""

from decimal import Decimal

import pytest

from country_profiles.importer.factbook_text import (
    Measure,
    TextParseError,
    clean_text,
    find_dates,
    name_key,
    parse_amount,
    parse_border_list,
    parse_ethnic_groups,
    parse_expenditure_history,
    parse_measure,
    parse_number,
    parse_personnel_strengths,
    parse_pipelines,
    split_top_level,
    trailing_date,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("C&ocirc;te d&#39;Ivoire", "Côte d'Ivoire", id="entities"),
        pytest.param("<b>note:</b> data in 2021 dollars", "note: data in 2021 dollars", id="bold-tag"),
        pytest.param("<p>Swedish 79.6%,&nbsp;other</p>", "Swedish 79.6%, other", id="p-and-nbsp"),
        pytest.param("a<br><br>b", "a b", id="line-breaks"),
        pytest.param("&lt;1% Talish", "<1% Talish", id="escaped-less-than-is-not-a-tag"),
        pytest.param("Kurd <!--EndFragment -->", "Kurd", id="html-comment"),
        pytest.param("  two\u00a0 spaces\n", "two spaces", id="blanks"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("C&ocirc;te d'Ivoire", "Cote d'Ivoire", id="accents"),
        pytest.param("The Gambia", "gambia", id="leading-the"),
        pytest.param("Saint  Helena", "saint helena", id="blanks-and-case"),
    ],
)
def test_name_key_matches_spellings(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param("1,063", Decimal(1063), id="thousands"),
        pytest.param("1975", Decimal(1975), id="no-separator"),
        pytest.param(".1", Decimal("0.1"), id="leading-dot"),
        pytest.param("4,347.15", Decimal("4347.15"), id="thousands-and-decimals"),
    ],
)
def test_parse_number(token, expected):
    assert parse_number(token) == expected


@pytest.mark.parametrize("token", [pytest.param("104,0000", id="bad-grouping"), pytest.param("1,00", id="short-group")])
def test_parse_number_refuses_malformed_grouping(token):
    with pytest.raises(TextParseError, match="not a number"):
        parse_number(token)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        pytest.param("10-15,000", 10_000, 15_000, id="bare-low-end-takes-thousands"),
        pytest.param("100-150,000", 100_000, 150_000, id="hundreds-of-thousands"),
        pytest.param("500-1,000", 500, 1_000, id="low-end-already-complete"),
        pytest.param("1,000-1,500", 1_000, 1_500, id="both-ends-written-out"),
        pytest.param("1.1-1.2 million", 1_100_000, 1_200_000, id="million-on-upper-end"),
        pytest.param("850,000-1 million", 850_000, 1_000_000, id="mixed-forms"),
        pytest.param("70-75", 70, 75, id="plain-range"),
        pytest.param("1.284 million", 1_284_000, None, id="million-single"),
        pytest.param("3.6 billion", 3_600_000_000, None, id="billion"),
    ],
)
def test_parse_amount(text, low, high):
    amount = parse_amount(text)
    assert amount.value == low
    assert amount.value_max == high


def test_parse_amount_refuses_backwards_range():
    with pytest.raises(TextParseError, match="backwards"):
        parse_amount("20-10")


@pytest.mark.parametrize(
    ("text", "years", "notes"),
    [
        pytest.param("5,664,939 (July 2015 est.)", [2015], [None], id="month-est"),
        pytest.param("3% of GDP (2024 est.)", [2024], [None], id="est"),
        pytest.param("28 (2025)", [2025], [None], id="bare-year"),
        pytest.param("Akan 38% (2014-15 est.)", [2014], ["period 2014-15"], id="period"),
        pytest.param("0.55% of GDP (2015 projected)", [2015], ["projected"], id="projected"),
        pytest.param("other 29.6% (2002 census)", [2002], ["census"], id="census"),
        pytest.param("22,910 (2001) (2013 est.)", [2001, 2013], [None, None], id="two-dates"),
        pytest.param("(male 867,668/female 827,235)", [], [], id="no-date"),
    ],
)
def test_find_dates(text, years, notes):
    dates = find_dates(text)
    assert [d.year for d in dates] == years
    assert [d.note for d in dates] == notes


@pytest.mark.parametrize(
    ("text", "year"),
    [
        pytest.param("estimates take into account AIDS (2013) (July 2015 est.)", 2015, id="last-of-two"),
        pytest.param("<p>Australian 22.8%</p> (2011 est.)", 2011, id="after-closing-tag"),
        pytest.param("6.9% (2024 est.) (male 164,032/female 263,805)", None, id="date-not-at-end"),
    ],
)
def test_trailing_date(text, year):
    date = trailing_date(text)
    assert (date.year if date else None) == year


MEASURES = [
    pytest.param("199,951 sq km", "sq km", False, Measure(199951), id="area"),
    pytest.param("1.284 million sq km", "sq km", False, Measure(1284000), id="area-in-words"),
    pytest.param("0 km (landlocked)", "km", True, Measure(0, note="landlocked"), id="landlocked"),
    pytest.param(
        "643,801 sq km ; 551,500 sq km (metropolitan France)",
        "sq km",
        True,
        Measure(643801, note="551,500 sq km (metropolitan France)"),
        id="alternative-after-semicolon",
    ),
    pytest.param(
        "443 sq km (Antigua 280 sq km; Barbuda 161 sq km)",
        "sq km",
        True,
        Measure(443, note="Antigua 280 sq km; Barbuda 161 sq km"),
        id="parts-in-parentheses",
    ),
    pytest.param("3.197 million (2024 est.)", "count", False, Measure(3197000, year=2024), id="million-persons"),
    pytest.param("6,219,751 (2025 est.)", "count", False, Measure(6219751, year=2025), id="population"),
    pytest.param(
        "68,459,055 (2024 est.) United Kingdom",
        "count",
        False,
        Measure(68459055, year=2024, note="United Kingdom"),
        id="words-after-date",
    ),
    pytest.param(
        "0.8% of GDP (2019 est.) (approximately $35 million)",
        "% of GDP",
        False,
        Measure(0.8, year=2019, note="approximately $35 million"),
        id="gdp-share-with-remark",
    ),
    pytest.param(
        "0.55% of GDP (2015 projected)", "% of GDP", False, Measure(0.55, year=2015, note="projected"), id="projected"
    ),
    pytest.param(
        "6.9% (2024 est.) (male 164,032/female 263,805)",
        "%",
        False,
        Measure(6.9, year=2024, note="male 164,032/female 263,805"),
        id="age-band",
    ),
    pytest.param("28 (2025)", "count", False, Measure(28, year=2025), id="count"),
    pytest.param("1975 km", "km", False, Measure(1975), id="no-thousands-separator"),
    pytest.param(
        "approximately 40,000 km (2019)",
        "km",
        False,
        Measure(40000, year=2019, note="approximately"),
        id="approximately",
    ),
]


@pytest.mark.parametrize(("text", "unit", "strict", "expected"), MEASURES)
def test_parse_measure(text, unit, strict, expected):
    assert parse_measure(text, unit, strict=strict) == expected


@pytest.mark.parametrize(
    ("text", "unit", "strict", "reason"),
    [
        pytest.param("NA", "sq km", False, "not available", id="NA"),
        pytest.param("NA% (2012)", "% of GDP", False, "not available", id="NA-percent"),
        pytest.param("NEGL", "sq km", False, "negligible", id="NEGL"),
        pytest.param("negligible", "sq km", False, "negligible", id="negligible-word"),
        pytest.param("uninhabited", "count", False, "no figure", id="no-digits"),
        pytest.param("(July 2021 est.) no indigenous inhabitants", "count", False, "no value", id="date-first"),
        pytest.param("3 sq km less than", "sq km", True, "a bound", id="bound-after-value"),
        pytest.param("up to 2,000 troops", "count", False, "a bound", id="bound-before-value"),
        pytest.param("122 sq km Saint Helena Island", "sq km", True, "unexpected text", id="strict-words-after"),
        pytest.param("22,910 (2001) (2013 est.)", "count", False, "several years", id="two-years"),
        pytest.param("5,749 km (201)", "km", False, "unreadable date", id="three-digit-year"),
        pytest.param("", "count", False, "empty", id="empty"),
    ],
)
def test_parse_measure_refuses(text, unit, strict, reason):
    with pytest.raises(TextParseError, match=reason):
        parse_measure(text, unit, strict=strict)


def test_split_top_level_keeps_parentheses_and_thousands():
    text = "Jewish 73.5% (of which Israel-born 79.7%, other 2.1%), Arab 1,021 people; other 5.4%"
    assert split_top_level(text, ",;") == [
        "Jewish 73.5% (of which Israel-born 79.7%, other 2.1%)",
        "Arab 1,021 people",
        "other 5.4%",
    ]


def test_expenditure_history_keeps_years_and_refuses_NA():
    results = parse_expenditure_history("NA% (2012) ++ 3.74% of GDP (2011) ++ 1.5% of GDP (2010)")
    assert isinstance(results[0], TextParseError)
    assert results[1:] == [Measure(3.74, year=2011), Measure(1.5, year=2010)]


@pytest.mark.parametrize(
    ("text", "value", "year"),
    [
        pytest.param("4,195 km gas (2022), 16 km oil (2022) (2022)", 4211, 2022, id="repeated-year"),
        pytest.param(
            "13,452 km gas transmission and 177,029 km gas distribution, 3,663 km oil (2022)",
            194144,
            2022,
            id="and-inside-a-kind",
        ),
        pytest.param(
            "5,959 km refined products (1,165 km distribution, 4,794 km transport), 11,696 km gas (2016)",
            17655,
            2016,
            id="breakdown-in-parentheses-not-counted",
        ),
        pytest.param("62 km gas", 62, None, id="undated"),
        pytest.param("2 million km water, 0.5 million km gas (2018)", 2500000, 2018, id="million-km"),
    ],
)
def test_parse_pipelines(text, value, year):
    measure = parse_pipelines(text)
    assert (measure.value, measure.year) == (value, year)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "17,210 km natural gas (2022), 9,757 km oil (2017)", "several years", id="kinds-dated-differently"
        ),
        pytest.param("10, 419 km crude oil (2020)", "no length", id="broken-number"),
        pytest.param("3,544 liquid petroleum gas, 12 km oil (2020)", "no length", id="kind-without-km"),
    ],
)
def test_parse_pipelines_refuses(text, reason):
    with pytest.raises(TextParseError, match=reason):
        parse_pipelines(text)


def test_border_list_reads_segments_qualifiers_and_remarks():
    segments, unread = parse_border_list(
        "Azerbaijan 338 km; China (southeast) 4,133 km and China (south) 46 km, Bosnia and Herzegovina 956 km; "
        "Angola 2,646 km (of which 225 km is the boundary of Cabinda); Nigeria 1975 km; Zambia 0.15 km"
    )
    assert unread == []
    assert [(s.name, s.qualifier, s.length_km) for s in segments] == [
        ("Azerbaijan", None, 338),
        ("China", "southeast", 4133),
        ("China", "south", 46),
        ("Bosnia and Herzegovina", None, 956),
        ("Angola", None, 2646),
        ("Nigeria", None, 1975),
        ("Zambia", None, 0.15),
    ]
    assert segments[4].remark == "of which 225 km is the boundary of Cabinda"


def test_border_list_reports_what_it_cannot_read():
    segments, unread = parse_border_list("Kenya 867 km; see entry for Sudan")
    assert [s.name for s in segments] == ["Kenya"]
    assert unread == [("see entry for Sudan", "no 'name N km' segment here")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("approximately 15,000 active troops (2023)", [("active", 15000, None)], id="plain"),
        pytest.param(
            "limited available information; estimated 10-15,000 active Armed Forces (2025)",
            [("active", 10000, 15000)],
            id="caveat-and-range",
        ),
        pytest.param(
            "estimated 1.1-1.2 million active Armed Forces; estimated 350,000 Federal National Guard Troops (2025)",
            [("active", 1100000, 1200000), ("paramilitary", 350000, None)],
            id="million-and-national-guard",
        ),
        pytest.param(
            "estimated 850,000-1 million active Defense Forces (2025)",
            [("active", 850000, 1000000)],
            id="range-to-million",
        ),
        pytest.param(
            "estimated 10,000 active Armed Forces; estimated 5-10,000 active paramilitary Border Service (2025)",
            [("active", 10000, None), ("paramilitary", 5000, 10000)],
            id="active-paramilitary-is-paramilitary",
        ),
        pytest.param(
            "approximately 170,000 active-duty Defense Forces (130,000 Ground; 10,000 Naval) (2025)",
            [("active", 170000, None)],
            id="breakdown-in-parentheses",
        ),
        pytest.param(
            "estimated 200,000 active ANP, including the National Gendarmerie (2025)",
            [("active", 200000, None)],
            id="including-does-not-reclassify",
        ),
    ],
)
def test_personnel_strengths(text, expected):
    strengths = parse_personnel_strengths(text)
    assert [(f.kind, f.value, f.value_max) for f in strengths.figures] == expected
    assert strengths.unread == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("approximately 1,500 BDF personnel (2025)", "not clearly", id="no-active"),
        pytest.param(
            "estimates vary; as many as 1.3 million active-duty Korean People's Army (2025)", "a bound", id="as-many-as"
        ),
        pytest.param("the FACV numbers approximately 1,000 active personnel (2025)", "pattern", id="sentence"),
        pytest.param("approximately 2,000 active Armed Forces", "no year", id="undated"),
    ],
)
def test_personnel_strengths_refuses(text, reason):
    strengths = parse_personnel_strengths(text)
    assert strengths.figures == []
    assert len(strengths.unread) == 1 and reason in strengths.unread[0][1]


def test_personnel_strengths_without_figures_is_silent():
    assert parse_personnel_strengths("limited available information").unread == []
    assert parse_personnel_strengths("not available").figures == []


ETHNIC = [
    pytest.param(
        "Kyrgyz 73.8%, Uzbek 14.8%, other 5.2% (includes Uyghur, Tajik) (2021 est.)",
        2021,
        [("Kyrgyz", 73.8, None, None), ("Uzbek", 14.8, None, None), ("other", 5.2, None, "includes Uyghur, Tajik")],
        id="plain-with-residual",
    ),
    pytest.param("Arab 75-80%, Kurdish 15-20%", None, [("Arab", 75, 80, None), ("Kurdish", 15, 20, None)], id="ranges"),
    pytest.param(
        "Arab-Amazigh 99%, European less than 1%",
        None,
        [("Arab-Amazigh", 99, None, None), ("European", 0, 1, "less than 1%")],
        id="less-than",
    ),
    pytest.param(
        "Bengali at least 99%, other &lt;1% (2022 est.)",
        2022,
        [("Bengali", 99, None, "at least 99%"), ("other", 0, 1, "less than 1%")],
        id="at-least-and-escaped-lt",
    ),
    pytest.param(
        "Mestico (mixed European and native African) 2%, non-CAR .1%",
        None,
        [("Mestico", 2, None, "mixed European and native African"), ("non-CAR", 0.1, None, None)],
        id="parenthesis-before-share-and-leading-dot",
    ),
    pytest.param(
        "Dinka (Jieng) approximately 35-40%, Arab ~50%",
        None,
        [("Dinka", 35, 40, "approximately; Jieng"), ("Arab", 50, None, "approximately")],
        id="approximate",
    ),
    pytest.param(
        "Kissi, 4.3%, Wallisian, Futunian 8.2%",
        None,
        [
            ("Kissi", 4.3, None, None),
            ("Wallisian, Futunian", 8.2, None, "several names share one percentage in the source"),
        ],
        id="comma-inside-names",
    ),
    pytest.param(
        "nine recognized ethnic groups: Tigrinya 55%, Tigre 45% (2010 est.)",
        2010,
        [("Tigrinya", 55, None, "nine recognized ethnic groups"), ("Tigre", 45, None, None)],
        id="leading-label",
    ),
    pytest.param(
        "<p>Australian 22.8%, English 22.4%</p> (2011 est.)",
        2011,
        [("Australian", 22.8, None, None), ("English", 22.4, None, None)],
        id="html-wrapped",
    ),
    pytest.param(
        "Portuguese 95%; other foreign born 5%",
        None,
        [("Portuguese", 95, None, None), ("other foreign born", 5, None, None)],
        id="semicolon-separated",
    ),
    pytest.param(
        "Akan 38%, Ewe 62% (2014-15 est.)", 2014, [("Akan", 38, None, None), ("Ewe", 62, None, None)], id="period"
    ),
    pytest.param(
        "B&eacute;ti 70%, Tsw&aacute;na 30%",
        None,
        [("Béti", 70, None, None), ("Tswána", 30, None, None)],
        id="entities-in-names",
    ),
    pytest.param(
        "Arab 75%-80%, Kurdish 15%-20%",
        None,
        [("Arab", 75, 80, None), ("Kurdish", 15, 20, None)],
        id="percent-sign-on-both-ends",
    ),
    pytest.param(
        "white 97%, mestizo (mixed white and Amerindian), Amerindian 3%",
        None,
        [
            ("white", 97, None, None),
            (
                "mestizo, Amerindian",
                3,
                None,
                "mixed white and Amerindian; several names share one percentage in the source",
            ),
        ],
        id="joined-name-without-stray-space",
    ),
]


@pytest.mark.parametrize(("text", "year", "shares"), ETHNIC)
def test_ethnic_groups(text, year, shares):
    parsed = parse_ethnic_groups(text)
    assert (parsed.date.year if parsed.date else None) == year
    assert [(s.group, s.percent, s.percent_max, s.note) for s in parsed.shares] == shares
    assert parsed.unread == []


@pytest.mark.parametrize(
    ("text", "kept", "unread"),
    [
        pytest.param("Hutu, Tutsi, Twa", [], [("Hutu, Tutsi, Twa", "no percentages")], id="no-percentages"),
        pytest.param(
            "Dinka 40%, Shilluk (Chollo), Azande (2011 est.)",
            ["Dinka"],
            [("Shilluk (Chollo), Azande", "groups without percentages")],
            id="names-left-after-last-share",
        ),
        pytest.param(
            "Sudanese Arab (approximately 70%), Fur, Beja",
            [],
            [("Sudanese Arab (approximately 70%), Fur, Beja", "no percentages")],
            id="share-only-inside-parentheses",
        ),
        pytest.param(
            "Mongo 45%, 44% of respondents indicated feeling part of some group",
            ["Mongo"],
            [("44% of respondents indicated feeling part of some group", "unreadable share")],
            id="share-before-name",
        ),
        pytest.param("Alpha 150%", [], [("Alpha 150%", "share above 100%: 'Alpha 150%'")], id="above-100"),
        pytest.param(
            "Gamma is made of 250 groups; the largest are: Hausa 29%, Yoruba 21%",
            ["Hausa", "Yoruba"],
            [("Gamma is made of 250 groups", "groups without percentages")],
            id="no-join-across-semicolon",
        ),
    ],
)
def test_ethnic_groups_reports_what_it_cannot_read(text, kept, unread):
    parsed = parse_ethnic_groups(text)
    assert [s.group for s in parsed.shares] == kept
    assert parsed.unread == unread


def test_personnel_strengths_read_the_sentence_of_the_2020_to_2022_editions():
    strengths = parse_personnel_strengths(
        "the Alphan Armed Forces have approximately 11,000 active duty troops (8,500 Land Forces; 2,500 Air Force) (2019 est.)"
    )
    assert strengths.year == 2019
    assert [(f.kind, f.value) for f in strengths.figures] == [("active", 11000)]


def test_a_value_dated_twice_takes_the_date_right_after_it():
    # Israel's railways, 2024-2026 editions: the second date is the entry's older one.
    measure = parse_measure("1,497 km (2021) (2019)", "km")
    assert (measure.value, measure.year, measure.note) == (1497, 2021, "the entry also ends with an older date (2019)")
    assert parse_measure("1,599 km (2019) (2019)", "km").note is None
    with pytest.raises(TextParseError, match="several years"):
        parse_measure("1,497 km (2021) gauge (2019)", "km")


def test_expenditure_history_of_the_2020_edition_splits_at_slashes():
    parts = parse_expenditure_history("1.5% of GDP (2019) / 1.6% of GDP (2018) / NA% (2017)")
    assert [(p.value, p.year) for p in parts if isinstance(p, Measure)] == [(1.5, 2019), (1.6, 2018)]
    assert isinstance(parts[2], TextParseError)
