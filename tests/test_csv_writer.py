"""The one CSV writer: formula injection neutralised, numbers kept as numbers, rows streamed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.csv_writer import (
    BYTE_ORDER_MARK,
    ROWS_PER_CHUNK,
    csv_response,
    encoded_lines,
    safe_cell,
    safe_filename,
)


def parse(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK), newline="")))


@pytest.mark.parametrize(
    "dangerous",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","Click")',
        "+44 20 7946 0000",
        "-2+3",
        "-5",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "  =cmd|' /C calc'!A0",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
    ],
)
def test_text_that_a_spreadsheet_could_run_is_neutralised(dangerous):
    cell = safe_cell(dangerous)
    assert cell == "'" + dangerous
    # And it survives the trip through csv.writer unchanged.
    assert parse(b"".join(encoded_lines(["h"], [[dangerous]])))[1] == [cell]


@pytest.mark.parametrize(
    "harmless",
    ["Ada Lovelace", "a=b", "E8 1EA", "07700 900982", "O’Brien", "", "Zoë", "1+1", "x-y"],
)
def test_other_text_is_written_as_it_is(harmless):
    assert safe_cell(harmless) == harmless


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (-5, "-5"),
        (0, "0"),
        (42, "42"),
        (Decimal("-12.50"), "-12.50"),
        (Decimal("13.85"), "13.85"),
        (-3.25, "-3.25"),
        (True, "Yes"),
        (False, "No"),
        (None, ""),
        (date(2026, 11, 27), "2026-11-27"),
        (datetime(2026, 11, 27, 10, 30, tzinfo=UTC), "2026-11-27T10:30:00+00:00"),
    ],
)
def test_numbers_from_the_data_stay_numbers_a_spreadsheet_reads(value, written):
    """Numbers (negative ones too) are written unaltered, so a spreadsheet reads -5 as minus
    five; a number's own text cannot carry a formula. Only text is neutralised."""
    assert safe_cell(value) == written
    assert parse(b"".join(encoded_lines(["h"], [[value]])))[1] == [written]


@given(st.text(max_size=50))
def test_no_text_ever_reaches_a_cell_starting_with_a_formula_character(text):
    cell = parse(b"".join(encoded_lines(["h"], [[text]])))[1][0]
    if cell:
        assert cell[0] not in "=+-@\t\r＝＋－＠"
        assert cell.lstrip(" ")[:1] not in set("=+-@\t\r＝＋－＠")
    assert cell.removeprefix("'") == text or cell == text


def test_the_file_has_a_header_quotes_what_needs_it_and_uses_crlf():
    body = b"".join(
        encoded_lines(["Name", "Statement"], [["O’Brien, Pat", 'She said "hello"\nthen left']])
    )
    assert body.startswith(BYTE_ORDER_MARK.encode())
    assert body.count(b"\r\n") == 2
    assert parse(body) == [
        ["Name", "Statement"],
        ["O’Brien, Pat", 'She said "hello"\nthen left'],
    ]


def test_the_header_is_neutralised_too():
    assert parse(b"".join(encoded_lines(["=evil"], [])))[0] == ["'=evil"]


def test_the_response_is_a_download_that_is_never_cached(app):
    with app.test_request_context():
        response = csv_response("applications.csv", ["a"], [[1]])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="applications.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.is_streamed


@pytest.mark.parametrize(
    ("given_name", "safe"),
    [
        ("applications-2026-11-27.csv", "applications-2026-11-27.csv"),
        ('../../etc/passwd"\r\nX-Evil: 1.csv', "etc-passwd-X-Evil-1.csv"),
        ("Applications for Zoë's team", "Applications-for-Zo-s-team.csv"),
        ("", "export.csv"),
        ("....", "export.csv"),
    ],
)
def test_the_download_name_is_made_safe(given_name, safe):
    assert safe_filename(given_name) == safe


def test_a_100000_row_export_is_streamed_not_built(app):
    produced = 0

    def rows():
        nonlocal produced
        for number in range(100_000):
            produced += 1
            yield (number, f"Applicant {number}", -number, "=1+1")

    with app.test_request_context():
        response = csv_response("big.csv", ["Number", "Name", "Negative", "Text"], rows())
    assert response.is_streamed
    assert produced == 0, "no row is read before the body is sent"

    chunks = iter(response.response)
    first = next(chunks)
    assert produced <= ROWS_PER_CHUNK, "the first chunk is sent after a few rows, not all"
    lines = first.count(b"\r\n")
    largest = len(first)
    for chunk in chunks:
        lines += chunk.count(b"\r\n")
        largest = max(largest, len(chunk))
    assert produced == 100_000
    assert lines == 100_001  # the header and every row
    assert largest < 64 * 1024, "every chunk is small: the file is never held whole"
    first_row = parse(first)[1]
    assert first_row == ["0", "Applicant 0", "0", "'=1+1"]
