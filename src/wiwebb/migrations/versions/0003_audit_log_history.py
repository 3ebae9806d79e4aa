"""audit log as history: names kept in the entries, no foreign keys to the users and tenants named

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 19:55:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_FOREIGN_KEYS = (
    ('fk_audit_log_actor_id_users', 'actor_id', 'users'),
    ('fk_audit_log_target_id_users', 'target_id', 'users'),
    ('fk_audit_log_tenant_id_tenants', 'tenant_id', 'tenants'),
)


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_username', sa.String(length=150), nullable=True))
        batch_op.add_column(sa.Column('target_username', sa.String(length=150), nullable=True))
        for name, _, _ in _FOREIGN_KEYS:
            batch_op.drop_constraint(name, type_='foreignkey')
    # Entries written before keep the names their accounts have now.
    op.execute("UPDATE audit_log SET actor_username = (SELECT username FROM users WHERE users.id = audit_log.actor_id)")
    op.execute("UPDATE audit_log SET target_username = (SELECT username FROM users WHERE users.id = audit_log.target_id)")


def downgrade() -> None:
    # Entries naming deleted accounts or tenants lose those ids again, as SET NULL did.
    op.execute("UPDATE audit_log SET actor_id = NULL WHERE actor_id NOT IN (SELECT id FROM users)")
    op.execute("UPDATE audit_log SET target_id = NULL WHERE target_id NOT IN (SELECT id FROM users)")
    op.execute("UPDATE audit_log SET tenant_id = NULL WHERE tenant_id NOT IN (SELECT id FROM tenants)")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        for name, column, table in _FOREIGN_KEYS:
            batch_op.create_foreign_key(name, table, [column], ['id'], ondelete='SET NULL')
        batch_op.drop_column('target_username')
        batch_op.drop_column('actor_username')
