"""Each borough's headcount per financial year, for the public-sector apprenticeship return."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin, VersionedMixin


class BoroughHeadcount(TimestampMixin, VersionedMixin, db.Model):
    """The number of people a borough employs (a headcount, not full-time equivalents) for a
    financial year, which starts on 1 April of `financial_year`. Versioned, so two people
    recording the same year at once cannot silently overwrite each other."""

    __tablename__ = "borough_headcount"
    __table_args__ = (
        UniqueConstraint("borough_id", "financial_year"),
        CheckConstraint("headcount > 0", name="positive_headcount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    borough_id: Mapped[int] = mapped_column(ForeignKey("borough.id", ondelete="CASCADE"))
    financial_year: Mapped[int] = mapped_column(Integer)
    headcount: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<BoroughHeadcount {self.borough_id} {self.financial_year}: {self.headcount}>"
