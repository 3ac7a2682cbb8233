"""Index decisions, cases and subscriptions by update time, and reminders by decision: the plan
job replans only what changed.

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
    # Replanning one decision looks up its pending reminders.
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_decision_id"), ["decision_id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_decision_id"))
    for table in ("subscription", "watched_case", "decision"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_updated_at"))
