"""load the 33 London local authorities

Revision ID: 28e8e39eb74d
Revises: e49c64deb4c5
Create Date: 2026-11-27 11:11:43.203992
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "28e8e39eb74d"
down_revision: str | Sequence[str] | None = "e49c64deb4c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The 32 London boroughs and the City of London with their ONS codes. Inline on purpose:
# migrations never import the models.
AUTHORITIES = (
    ("E09000001", "City of London"),
    ("E09000002", "Barking and Dagenham"),
    ("E09000003", "Barnet"),
    ("E09000004", "Bexley"),
    ("E09000005", "Brent"),
    ("E09000006", "Bromley"),
    ("E09000007", "Camden"),
    ("E09000008", "Croydon"),
    ("E09000009", "Ealing"),
    ("E09000010", "Enfield"),
    ("E09000011", "Greenwich"),
    ("E09000012", "Hackney"),
    ("E09000013", "Hammersmith and Fulham"),
    ("E09000014", "Haringey"),
    ("E09000015", "Harrow"),
    ("E09000016", "Havering"),
    ("E09000017", "Hillingdon"),
    ("E09000018", "Hounslow"),
    ("E09000019", "Islington"),
    ("E09000020", "Kensington and Chelsea"),
    ("E09000021", "Kingston upon Thames"),
    ("E09000022", "Lambeth"),
    ("E09000023", "Lewisham"),
    ("E09000024", "Merton"),
    ("E09000025", "Newham"),
    ("E09000026", "Redbridge"),
    ("E09000027", "Richmond upon Thames"),
    ("E09000028", "Southwark"),
    ("E09000029", "Sutton"),
    ("E09000030", "Tower Hamlets"),
    ("E09000031", "Waltham Forest"),
    ("E09000032", "Wandsworth"),
    ("E09000033", "Westminster"),
)

borough = sa.table(
    "borough",
    sa.column("ons_code", sa.String),
    sa.column("name", sa.String),
    sa.column("is_partner", sa.Boolean),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)


def upgrade() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        borough,
        [
            {
                "ons_code": code,
                "name": name,
                "is_partner": False,
                "created_at": now,
                "updated_at": now,
            }
            for code, name in AUTHORITIES
        ],
    )


def downgrade() -> None:
    op.execute(borough.delete().where(borough.c.ons_code.in_([code for code, _ in AUTHORITIES])))
