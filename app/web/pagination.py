"""Server-side pagination: one COUNT and one LIMIT/OFFSET query, whatever the table size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.size)

    def govuk_params(self) -> dict[str, Any]:
        """Parameters for govukPagination, keeping the current filters in every link."""

        def link(number: int) -> str:
            args = request.args.to_dict()
            args["page"] = str(number)
            return url_for(request.endpoint or "", **(request.view_args or {}), **args)

        params: dict[str, Any] = {"items": []}
        if self.number > 1:
            params["previous"] = {"href": link(self.number - 1)}
        if self.number < self.pages:
            params["next"] = {"href": link(self.number + 1)}
        for number in range(1, self.pages + 1):
            if number in (1, self.pages) or abs(number - self.number) <= 1:
                params["items"].append(
                    {"number": number, "href": link(number), "current": number == self.number}
                )
            elif params["items"] and not params["items"][-1].get("ellipsis"):
                params["items"].append({"ellipsis": True})
        return params


def page_number() -> int:
    raw = request.args.get("page", "1")
    # isascii: "²" is a digit to str.isdigit but not to int().
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def paginate(session: Session, statement: Select[Any], number: int, size: int) -> Page[Any]:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = session.scalars(statement.limit(size).offset((number - 1) * size)).all()
    return Page(items=items, number=number, size=size, total=total or 0)
