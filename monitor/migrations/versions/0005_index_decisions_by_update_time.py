"""Index decisions, cases and subscriptions by update time: the plan job replans only what changed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:40:38.685794

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    for table in ("decision", "watched_case", "subscription"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f(f"ix_{table}_updated_at"), ["updated_at"], unique=False
            )


def downgrade() -> None:
    """Downgrade schema."""
    for table in ("subscription", "watched_case", "decision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_updated_at"))
