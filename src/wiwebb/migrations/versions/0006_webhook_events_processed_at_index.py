"""webhook events: an index on processed_at, for `wiwebb cleanup` deleting the old ones

The cleanup picks events whose processed_at is older than an age (failed events have none): a
range on processed_at. An index led by status would not serve it (`status <> 'failed'` is no index
condition, and PostgreSQL 15 then scans the table), so the index is on processed_at alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_events_processed_at'), ['processed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_processed_at'))
