"""The report charts: SVG that reads without JavaScript or colour, and the table beside it."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from app.charts import Series, bar_chart, format_value, line_chart, table_rows
from tests.html_checks import check_html

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/2000/svg}"
BOROUGHS = ["Hackney", "Kensington and Chelsea", "Barking and Dagenham", "Camden"]
QUARTERS = ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]


def starts_chart(id_prefix: str = "starts", **overrides: object) -> Markup:
    arguments: dict = {
        "id_prefix": id_prefix,
        "title": "Apprenticeship starts by borough, 2025 to 2026",
        "description": "Hackney had the most starts (40). Barking and Dagenham's are suppressed.",
        "categories": BOROUGHS,
        "series": [Series("Starts", [40, 15, None, 0])],
        "value_label": "Apprentices starting",
        "category_label": "Borough",
    }
    return bar_chart(**{**arguments, **overrides})


def grouped_chart(id_prefix: str = "completion") -> Markup:
    return bar_chart(
        id_prefix=id_prefix,
        title="Completion rate",
        description="Your borough against London and the programme.",
        categories=BOROUGHS[:3],
        series=[
            Series("Your borough", [60, 45, None]),
            Series("London", [55, 50, 70]),
            Series("Programme", [50, None, 65]),
        ],
        value_label="Apprentices who completed (%)",
        percent=True,
    )


def trend_chart(id_prefix: str = "trend", periods: list[str] = QUARTERS) -> Markup:
    count = len(periods)
    return line_chart(
        id_prefix=id_prefix,
        title="Starts each quarter",
        description="Starts rose in every borough.",
        periods=periods,
        series=[
            Series("Hackney", [10 + i if i != 2 else None for i in range(count)]),
            Series("London", [20 + 2 * i for i in range(count)]),
            Series("Camden", [None, *(5 + i for i in range(1, count))]),
        ],
        value_label="Apprentices starting",
        period_label="Quarter",
    )


def parse(chart: Markup) -> ET.Element:
    root = ET.fromstring(str(chart))
    assert root.tag == f"{NS}svg"
    return root


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def texts(root: ET.Element, css_class: str | None = None) -> list[str]:
    return [
        text_of(element)
        for element in root.iter(f"{NS}text")
        if css_class is None or css_class in element.get("class", "").split()
    ]


def of_class(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [element for element in root.iter() if css_class in element.get("class", "").split()]


def test_a_chart_is_an_image_named_by_its_title_and_description():
    root = parse(starts_chart())

    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Apprenticeship starts by borough, 2025 to 2026"
    assert desc.text.startswith("Hackney had the most starts")
    assert list(root)[:2] == [title, desc], "title and desc come first"


def test_a_chart_scales_with_its_column():
    for chart in (starts_chart(), trend_chart()):
        root = parse(chart)
        assert root.get("width") == "100%"
        assert root.get("height") is None
        _, _, width, height = map(float, root.get("viewBox").split())
        for element in root.iter():
            for name in ("x", "x1", "x2", "cx"):
                if element.get(name) is not None:
                    assert 0 <= float(element.get(name)) <= width, ET.tostring(element)
            for name in ("y", "y1", "y2", "cy"):
                if element.get(name) is not None:
                    assert 0 <= float(element.get(name)) <= height, ET.tostring(element)


def test_the_axes_are_labelled_with_ticks_and_units():
    root = parse(starts_chart())
    assert texts(root, "app-chart__axis-label") == ["Apprentices starting"]
    assert "Borough" in texts(root)
    assert texts(root, "app-chart__tick") == ["0", "10", "20", "30", "40"]

    percentages = parse(grouped_chart())
    assert texts(percentages, "app-chart__axis-label") == ["Apprentices who completed (%)"]
    assert texts(percentages, "app-chart__tick") == ["0%", "20%", "40%", "60%", "80%"]

    trend = parse(trend_chart())
    assert sorted(texts(trend, "app-chart__axis-label")) == ["Apprentices starting", "Quarter"]
    assert texts(trend, "app-chart__tick") == ["0", "10", "20", "30"]


def test_every_category_and_value_is_written_on_the_chart():
    root = parse(starts_chart())
    assert texts(root, "app-chart__category") == BOROUGHS
    assert texts(root, "app-chart__value") == ["40", "15", "0"]

    grouped = parse(grouped_chart())
    assert texts(grouped, "app-chart__category") == BOROUGHS[:3]
    assert texts(grouped, "app-chart__value") == ["60%", "55%", "50%", "45%", "50%", "70%", "65%"]
    assert texts(grouped, "app-chart__key") == ["Your borough", "London", "Programme"]

    trend = parse(trend_chart())
    assert texts(trend, "app-chart__period") == QUARTERS
    assert texts(trend, "app-chart__key") == ["Hackney", "London", "Camden"]
    assert sorted(texts(trend, "app-chart__value")) == ["10", "15", "30"]  # the latest values


def test_a_suppressed_value_is_marked_and_never_drawn_as_zero():
    root = parse(starts_chart())
    bars = of_class(root, "app-chart__bar")
    # 40 and 15 are bars; 0 is a zero with its label "0"; the suppressed one has no bar at all.
    assert len(bars) == 2
    assert texts(root, "app-chart__gap") == ["[c]"]
    assert "0" in texts(root, "app-chart__value")
    assert "[c]" not in texts(root, "app-chart__value")
    assert texts(root, "app-chart__note")[0].startswith("[c] means the figure is not shown")

    # The mark sits where Barking and Dagenham's bar would be: after its label, before Camden's.
    def level(element: ET.Element) -> float:
        return float(element.get("y"))

    labels = {text_of(e): level(e) for e in of_class(root, "app-chart__category")}
    gap = level(of_class(root, "app-chart__gap")[0])
    assert labels["Barking and Dagenham"] < gap < labels["Camden"]

    grouped = parse(grouped_chart())
    assert len(of_class(grouped, "app-chart__bar")) == 7
    assert texts(grouped, "app-chart__gap") == ["[c]", "[c]"]


def test_a_line_breaks_at_a_suppressed_value_and_marks_it():
    root = parse(trend_chart())
    lines = of_class(root, "app-chart__line")
    # Hackney: two runs either side of its gap; London: one; Camden: one after its first gap.
    assert len(lines) == 4
    assert texts(root, "app-chart__gap") == ["[c]", "[c]"]
    markers = of_class(root, "app-chart__marker")
    in_legend = of_class(of_class(root, "app-chart__legend")[0], "app-chart__marker")
    assert len(markers) - len(in_legend) == 3 * len(QUARTERS) - 2
    assert texts(root, "app-chart__note")


def test_no_note_when_nothing_is_missing():
    root = parse(starts_chart(series=[Series("Starts", [1, 2, 3, 4])]))
    assert not texts(root, "app-chart__note")
    assert not texts(root, "app-chart__gap")


def test_text_is_escaped():
    malicious = "<script>alert('x')</script>"
    chart = bar_chart(
        id_prefix="evil",
        title=f"Starts & {malicious}",
        description='"><img src=x onerror=alert(1)>',
        categories=[malicious, "Hackney"],
        series=[Series(malicious, [3, None]), Series("Quote \" and ' here", [4, 5])],
        value_label=malicious,
        category_label=malicious,
    )
    assert "<script" not in chart and "<img" not in chart
    assert "&lt;script&gt;" in chart
    root = parse(chart)
    assert not list(root.iter(f"{NS}script"))
    assert root.find(f"{NS}title").text == f"Starts & {malicious}"
    assert root.find(f"{NS}desc").text == '"><img src=x onerror=alert(1)>'
    assert texts(root, "app-chart__category")[0] == malicious
    assert texts(root, "app-chart__key") == [malicious, "Quote \" and ' here"]


def test_nothing_the_content_security_policy_would_refuse_or_that_reaches_out():
    for chart in (starts_chart(), grouped_chart(), trend_chart()):
        root = parse(chart)
        for element in root.iter():
            tag = element.tag.removeprefix(NS)
            assert tag not in {"script", "style", "image", "foreignObject", "a", "use"}, tag
            for name, value in element.attrib.items():
                assert name != "style" and not name.lower().startswith("on"), (tag, name)
                assert "href" not in name, (tag, name)
                for reference in re.findall(r"url\(([^)]*)\)", value):
                    assert reference.startswith("#"), (tag, value)


def test_series_are_told_apart_without_colour():
    root = parse(grouped_chart("g"))
    patterns = {p.get("id"): p for p in root.iter(f"{NS}pattern")}
    fills = []
    for row in range(3):  # the first category's bars, one for each series
        fills.append(of_class(root, "app-chart__bar")[row].get("fill"))
    assert len(set(fills)) == 3
    # At most one series is a plain colour; the others are patterns, each a different one.
    referenced = [re.fullmatch(r"url\(#(.+)\)", fill) for fill in fills]
    pattern_ids = [match.group(1) for match in referenced if match]
    assert len(pattern_ids) >= 2
    shapes = {
        tuple((child.tag, tuple(sorted(child.attrib.items()))) for child in patterns[pid])[1:]
        for pid in pattern_ids
    }
    assert len(shapes) == len(pattern_ids), "each pattern draws something different"
    # The legend shows the same fills beside the names.
    legend = of_class(root, "app-chart__legend")[0]
    assert [r.get("fill") for r in legend.iter(f"{NS}rect")] == fills

    trend = parse(trend_chart("t"))
    legend = of_class(trend, "app-chart__legend")[0]
    dashes = [line.get("stroke-dasharray") for line in legend.iter(f"{NS}line")]
    assert len(set(dashes)) == 3
    shapes = [m.get("class").split()[-1] for m in of_class(legend, "app-chart__marker")]
    assert len(set(shapes)) == 3


def test_the_text_is_dark_on_white():
    root = parse(grouped_chart())
    assert root.get("fill") == "#0b0c0c"
    assert any(r.get("fill") == "#ffffff" for r in root.findall(f"{NS}rect"))
    for element in root.iter(f"{NS}text"):
        assert element.get("fill") in (None, "#0b0c0c")


def test_two_charts_on_one_page_have_unique_ids():
    charts = [grouped_chart("first"), grouped_chart("second"), trend_chart("third")]
    page = (
        "<!DOCTYPE html><html lang='en'><head><title>Charts</title></head><body>"
        + "".join(map(str, charts))
        + "</body></html>"
    )
    check_html(page)  # valid HTML5, and no id is used twice
    for chart in charts:
        root = parse(chart)
        ids = {element.get("id") for element in root.iter() if element.get("id")}
        references = set(root.get("aria-labelledby").split())
        for element in root.iter():
            references.update(re.findall(r"url\(#([^)]*)\)", " ".join(element.attrib.values())))
        assert references <= ids, "every reference is to the chart's own element"


def test_many_periods_label_the_latest_and_do_not_overlap():
    periods = [f"{year} Q{q}" for year in range(2022, 2027) for q in range(1, 5)]
    root = parse(trend_chart(periods=periods))
    labels = of_class(root, "app-chart__period")
    assert text_of(labels[-1]) == "2026 Q4"
    assert 3 <= len(labels) < len(periods)

    def half_width(label: ET.Element) -> float:  # generously: 0.6 of the font size a character
        return max(len(line.text.strip()) for line in label.iter(f"{NS}tspan")) * 14 * 0.6 / 2

    for a, b in zip(labels, labels[1:], strict=False):
        assert float(b.get("x")) - float(a.get("x")) >= half_width(a) + half_width(b)
    ticks = [line for line in root.iter(f"{NS}line") if line.get("y2") and line.get("x1")]
    assert len(ticks) >= len(periods)


def test_long_names_wrap_rather_than_overflow():
    name = "The Royal Borough of Kensington and Chelsea and its very long name " * 2
    root = parse(starts_chart(categories=[name, *BOROUGHS[1:]]))
    label = of_class(root, "app-chart__category")[0]
    assert len(list(label.iter(f"{NS}tspan"))) >= 3
    assert text_of(label) == " ".join(name.split())


def test_values_are_shown_the_same_way_in_the_table():
    assert format_value(1234) == "1,234"
    assert format_value(12.5) == "12.5"
    assert format_value(12.0) == "12"
    assert format_value(60, percent=True) == "60%"
    assert format_value(None) == "[c]"
    series = [Series("Starts", [40, None]), Series("Rate", [60, 5])]
    assert table_rows(["Hackney", "Camden"], series) == [
        ["Hackney", "40", "60"],
        ["Camden", "[c]", "5"],
    ]
    assert table_rows(["Hackney"], [Series("Rate", [60])], percent=True) == [["Hackney", "60%"]]


@pytest.mark.parametrize(
    "overrides, problem",
    [
        ({"id_prefix": "1 bad id"}, "id_prefix"),
        ({"series": [Series("Starts", [1, 2])]}, "has 2 values for 4 categories"),
        ({"series": [Series("Starts", [1, 2, -3, 4])]}, "0 or more"),
        ({"series": [Series("Starts", [1, 2, math.nan, 4])]}, "0 or more"),
        ({"series": [Series(str(n), [1, 2, 3, 4]) for n in range(5)]}, "1 to 4 series"),
        ({"series": []}, "1 to 4 series"),
        ({"categories": [], "series": [Series("Starts", [])]}, "at least one"),
    ],
)
def test_what_cannot_be_drawn_is_refused(overrides: dict, problem: str):
    with pytest.raises(ValueError, match=re.escape(problem)):
        starts_chart(**overrides)


def test_a_line_needs_two_periods():
    with pytest.raises(ValueError, match="two periods"):
        trend_chart(periods=["2026 Q1"])


def test_all_values_suppressed_still_draws_axes():
    root = parse(starts_chart(series=[Series("Starts", [None] * 4)]))
    assert not of_class(root, "app-chart__bar")
    assert texts(root, "app-chart__gap") == ["[c]"] * 4
    assert texts(root, "app-chart__tick")


NAMES = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn", "Co")), min_size=1, max_size=30)
VALUES = st.one_of(st.none(), st.integers(0, 10_000), st.floats(0.05, 1e6))


@given(
    data=st.lists(st.tuples(NAMES, VALUES, VALUES), min_size=1, max_size=12),
    percent=st.booleans(),
)
def test_any_names_and_values_make_a_chart_that_says_what_it_shows(data, percent):
    categories = [name for name, _, _ in data]
    first = Series("First <series>", [a for _, a, _ in data])
    second = Series("Second & last", [b for _, _, b in data])
    root = parse(
        bar_chart(
            id_prefix="any",
            title="Any",
            description="Any",
            categories=categories,
            series=[first, second],
            value_label="Value",
            percent=percent,
        )
    )
    assert texts(root, "app-chart__category") == [" ".join(name.split()) for name in categories]
    values = [v for v in (*first.values, *second.values) if v is not None]
    assert len(of_class(root, "app-chart__bar")) == sum(1 for v in values if v > 0)
    assert texts(root, "app-chart__value") == [
        format_value(v, percent=percent)
        for pair in zip(first.values, second.values, strict=True)
        for v in pair
        if v is not None
    ]
    assert len(texts(root, "app-chart__gap")) == 2 * len(data) - len(values)
    ticks = texts(root, "app-chart__tick")
    top = max(values, default=0)
    assert float(ticks[-1].rstrip("%").replace(",", "")) >= round(top, 1)


def render_macro(chart: Markup, caption: str, header: list[str], rows: list[list[str]]) -> str:
    environment = Environment(
        loader=FileSystemLoader(ROOT / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = environment.from_string(
        '{% from "components/chart.html" import chart_with_table %}'
        "{{ chart_with_table(chart, caption, header, rows) }}"
    )
    return template.render(chart=chart, caption=caption, header=header, rows=rows)


def test_the_chart_and_a_table_of_the_same_numbers():
    series = [Series("Starts", [40, 15, None, 0])]
    html = render_macro(
        starts_chart(series=series),
        "Starts by borough <2026>",
        ["Borough", "Starts"],
        table_rows(BOROUGHS, series),
    )
    check_html(f"<!DOCTYPE html><html lang='en'><head><title>t</title></head><body>{html}</body>")
    page = BeautifulSoup(html, "html.parser")

    assert len(page.select(".app-chart svg[role=img]")) == 1, "the chart is not escaped"
    table = page.select_one(".app-chart table.govuk-table")
    # A table too wide for a phone scrolls in a box the keyboard can reach, named by the caption.
    box = table.parent
    assert (box["role"], box["tabindex"]) == ("region", "0")
    assert box["aria-label"] == "Starts by borough <2026> (table)"
    assert table.caption.get_text(strip=True) == "Starts by borough <2026>"
    assert "govuk-table__caption" in table.caption["class"]
    headers = table.select("thead th")
    assert [th["scope"] for th in headers] == ["col", "col"]
    assert "govuk-table__header--numeric" in headers[1]["class"]
    rows = table.select("tbody tr")
    assert [row.th.get_text() for row in rows] == BOROUGHS
    assert all(row.th["scope"] == "row" for row in rows)
    cells = table.select("tbody td")
    assert [td.get_text() for td in cells] == ["40", "15", "[c]", "0"]
    assert all("govuk-table__cell--numeric" in td["class"] for td in cells)

    # The same numbers as the chart.
    chart = parse(Markup(str(page.svg)))
    shown = texts(chart, "app-chart__value") + texts(chart, "app-chart__gap")
    assert sorted(shown) == sorted(td.get_text() for td in cells)


def share_chart(reference: float | None = 2.3, **overrides: object) -> Markup:
    return starts_chart(
        "share",
        series=[Series("Starts as a share of headcount", [1.2, 0.4, None, 0])],
        value_label="Starts as a share of headcount (%)",
        percent=True,
        reference=reference,
        reference_label="Former public-sector target: 2.3% of headcount",
        **overrides,
    )


def test_a_reference_line_is_drawn_dashed_at_its_value_with_a_key():
    root = parse(share_chart())
    (line,) = of_class(root, "app-chart__reference")
    assert line.get("x1") == line.get("x2") and line.get("stroke-dasharray")
    # The scale reaches the reference though every bar is below it: ticks 0%, 1%, 2%, 3%.
    ticks = texts(root, "app-chart__tick")
    assert ticks == ["0%", "1%", "2%", "3%"]
    placed = of_class(root, "app-chart__tick")
    x_of = {tick: float(el.get("x")) for tick, el in zip(ticks, placed, strict=True)}
    expected = x_of["2%"] + 0.3 * (x_of["3%"] - x_of["2%"])
    assert float(line.get("x1")) == pytest.approx(expected, abs=0.02)
    # It runs from the first bar's group to the axis, and is named in the key.
    bars = of_class(root, "app-chart__bar")
    assert float(line.get("y1")) <= float(bars[0].get("y"))
    assert "Former public-sector target: 2.3% of headcount" in texts(root, "app-chart__key")
    check_html(f"<!DOCTYPE html><html lang=en><title>t</title>{share_chart()}</html>")


def test_no_reference_line_unless_asked_for():
    root = parse(share_chart(reference=None))
    assert of_class(root, "app-chart__reference") == []
    assert texts(root, "app-chart__tick")[-1] == "1.5%"  # the scale follows the bars alone


@pytest.mark.parametrize("reference", [-1, math.nan, math.inf])
def test_a_reference_that_cannot_be_drawn_is_refused(reference):
    with pytest.raises(ValueError, match="0 or more"):
        share_chart(reference=reference)
