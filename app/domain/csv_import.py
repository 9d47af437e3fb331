"""What every CSV import shares: reading a UTF-8 file with a header row, the row-by-row error
report that refuses the whole file, dates as typed in spreadsheets, and the file's digest that
makes importing the same file twice do nothing. Each import brings its own columns and rules."""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from app.domain.errors import DomainError

MAX_ROWS = 2000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet row: the header is row 1
    column: str  # "" for the row or file as a whole
    message: str


class ImportRefused(DomainError):
    """The file was refused; nothing was created. `errors` is the row-by-row report."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            f"The file was not imported: {len(errors)} "
            f"{'problem' if len(errors) == 1 else 'problems'} to fix"
        )
        self.errors = errors


def printable(text: str) -> str:
    """Text from the file as it may be repeated in a message or stored as a name: without
    control characters."""
    return "".join(char for char in text if unicodedata.category(char) not in ("Cc", "Cs"))


def parse_date(value: str) -> date | None:
    """A date written as 2026-09-01 or 01/09/2026; None for anything else."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            [RowError(1, "", "The file must be a CSV file saved as UTF-8 text")]
        ) from None


def _check_header(
    reader: csv.DictReader, known: Collection[str], required: Collection[str]
) -> list[str]:
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error:
        header = []
    if not header or not any(header):
        raise ImportRefused([RowError(1, "", "The file is empty")])
    problems = []
    missing = [name for name in required if name not in header]
    unknown = [name for name in header if name not in known]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if missing:
        problems.append(RowError(1, "", "The header row has no column " + ", ".join(missing)))
    if unknown:
        problems.append(
            RowError(1, "", "Unknown columns: " + ", ".join(printable(name) for name in unknown))
        )
    if repeated:
        problems.append(
            RowError(
                1,
                "",
                "Columns named more than once: " + ", ".join(printable(n) for n in repeated),
            )
        )
    if problems:
        raise ImportRefused(problems)
    return header


def read_rows(
    data: bytes, *, known: Collection[str], required: Collection[str], things: str
) -> list[tuple[int, dict[str, str | None]]]:
    """The file's rows as (spreadsheet row number, values by column), blank lines left out;
    ImportRefused for a file that is not a CSV file with the expected header, has more than
    MAX_ROWS rows, or has none (`things`: what its rows are, for the message)."""
    reader = csv.DictReader(io.StringIO(_decode(data), newline=""))
    reader.fieldnames = _check_header(reader, known, required)
    rows: list[tuple[int, dict[str, str | None]]] = []
    try:
        for index, raw in enumerate(reader):
            number = index + 2
            if None in raw:
                raise ImportRefused([RowError(number, "", "The row has more values than columns")])
            if any((value or "").strip() for value in raw.values()):
                rows.append((number, raw))
            if len(rows) > MAX_ROWS:
                raise ImportRefused([RowError(1, "", f"Import at most {MAX_ROWS} rows at a time")])
    except csv.Error as error:
        raise ImportRefused(
            [RowError(reader.line_num, "", f"The file is not valid CSV: {error}")]
        ) from None
    if not rows:
        raise ImportRefused([RowError(2, "", f"The file has no {things} in it")])
    return rows


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
