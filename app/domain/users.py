"""Finding users: the filters of the user lists."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from app.models import Role, User, UserRole


def filter_users(
    statement: Select[tuple[User]],
    *,
    text: str | None = None,
    role: Role | None = None,
    borough_id: int | None = None,
) -> Select[tuple[User]]:
    """Narrow an (already scoped) user query, sorted by name, with each user's borough."""
    if text:
        pattern = f"%{text.lower()}%"
        statement = statement.where(
            or_(func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    if role is not None:
        statement = statement.where(
            User.id.in_(select(UserRole.user_id).where(UserRole.role == role.value))
        )
    if borough_id is not None:
        statement = statement.where(User.borough_id == borough_id)
    return statement.options(joinedload(User.borough)).order_by(User.name, User.id)
