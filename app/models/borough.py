from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin


class Borough(TimestampMixin, db.Model):
    """One of the 33 London local authorities, loaded by a data migration."""

    __tablename__ = "borough"

    id: Mapped[int] = mapped_column(primary_key=True)
    ons_code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    is_partner: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<Borough {self.ons_code} {self.name}>"
