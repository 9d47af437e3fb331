"""The one CSV writer: every CSV file the service sends goes through here.

Rows are streamed: `csv_response` takes an iterable of rows and sends the file in chunks as the
rows come, so a large export never sits in memory whole (pass a generator, or
`rows_from_query`, which fetches a query's rows a batch at a time).

Spreadsheet formula injection (OWASP, "CSV Injection"): a cell whose text begins with `=`, `+`,
`-`, `@`, a tab or a carriage return could be run as a formula when the file is opened in a
spreadsheet. `safe_cell` puts an apostrophe in front of such text, so it is shown as typed and
never evaluated. It also catches the same characters after leading spaces, and their
full-width forms (＝ ＋ － ＠), which some spreadsheets treat alike.

What the writer does with each kind of value:

- text (`str`): written as is, except that dangerous text gets the leading apostrophe (so a
  name typed as `-5` or `=1+1` arrives as that text);
- numbers from the data (`int`, `float`, `Decimal`, but not `bool`): written unaltered, so a
  spreadsheet reads `-3` or `12.50` as the number it is. A number's own text cannot carry a
  formula, so negative numbers are safe as numbers; pass numbers as numbers, not as text;
- `True`/`False`: `Yes`/`No`; `None`: an empty cell;
- dates and datetimes: ISO 8601 (`2026-11-27`, `2026-11-27T10:30:00+00:00`).

The file is UTF-8 with a byte-order mark (so Excel reads names like "Zoë" correctly), with CRLF
line endings, quoting only the cells that need it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.extensions import db

# First characters a spreadsheet may read as the start of a formula (OWASP), and their
# full-width forms.
FORMULA_TRIGGERS = frozenset("=+-@\t\r") | frozenset("＝＋－＠")
# How many rows go into one chunk of the response.
ROWS_PER_CHUNK = 200
BYTE_ORDER_MARK = "\ufeff"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _neutralise(text: str) -> str:
    if not text:
        return text
    first = text[0]
    stripped = text.lstrip(" ")
    if first in FORMULA_TRIGGERS or (stripped and stripped[0] in FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_cell(value: Any) -> str:
    """One cell's text, safe to open in a spreadsheet (see the module's notes)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _neutralise(str(value))


def encoded_lines(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """The CSV file as encoded chunks of whole lines, taking rows only as they are needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow([safe_cell(name) for name in header])
    waiting = 1
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        waiting += 1
        if waiting >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            waiting = 0
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def safe_filename(filename: str) -> str:
    """A download name with only letters, digits, dots, hyphens and underscores, ending .csv."""
    stem = filename.removesuffix(".csv")
    stem = _UNSAFE_FILENAME.sub("-", stem).strip(".-_")[:100] or "export"
    return f"{stem}.csv"


def rows_from_query(
    statement: Select[Any], convert: Callable[[Any], Sequence[Any]] = tuple, *, batch: int = 500
) -> Iterator[Sequence[Any]]:
    """The rows of a query, fetched `batch` at a time as the response is sent.

    The query runs in its own session when the first row is needed, after the request has
    finished (and committed its audit event): a streamed body must not rely on the request's
    session, which is gone by then. Call it within the app context (it binds the engine now)."""
    engine = db.engine

    def generate() -> Iterator[Sequence[Any]]:
        with Session(engine) as session:
            for row in session.execute(statement.execution_options(yield_per=batch)):
                yield convert(row)

    return generate()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A streamed CSV download: `rows` is consumed while the response is sent, after the view has
    returned, so it must not need the request's context or session (see `rows_from_query`)."""
    response = Response(encoded_lines(header, rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
