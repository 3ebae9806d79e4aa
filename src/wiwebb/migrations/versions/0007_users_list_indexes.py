"""users: indexes for the user list, a tenant's page by role and the search

`GET /users/?tenant=T&role=R` pages a tenant's users of a role in id order and counts them all
(`count(*) OVER ()`). On (tenant_id, role) alone PostgreSQL 15 walked the primary key through the
whole table, filtering (15 ms at 100,000 users); (tenant_id, role, id) gives the rows in order from
the index alone (1 ms). It replaces ix_users_tenant_id_role, a prefix of it.

`?search=` is ILIKE '%term%' over username, email, first_name and last_name, which no b-tree
serves: a trigram GIN index (pg_trgm) does, for terms of three characters or more (20 ms to under
1 ms). PostgreSQL only: pg_trgm is a trusted extension since PostgreSQL 13, so the database's owner
may create it. A database user that may not (and finds no pg_trgm installed) gets no trigram
index and a warning: search then scans, as before; install the extension and create the index as
the warning says. SQLite keeps scanning, and the index is neither created nor dropped there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 02:00:00
"""

import logging

from alembic import op

log = logging.getLogger("wiwebb.migrations")


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

SEARCHED = ('username', 'email', 'first_name', 'last_name')


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_tenant_id_role')
        batch_op.create_index('ix_users_tenant_id_role_id', ['tenant_id', 'role', 'id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    installed = bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first()
    may_install = bind.exec_driver_sql("SELECT has_database_privilege(current_database(), 'CREATE')").scalar()
    if not installed and not may_install:
        log.warning("0007: pg_trgm is not installed and this user may not install it, so user search has no "
                    "trigram index (it scans, as before); as the database's owner: CREATE EXTENSION pg_trgm; "
                    "CREATE INDEX ix_users_search_trgm ON users USING gin (username gin_trgm_ops, "
                    "email gin_trgm_ops, first_name gin_trgm_ops, last_name gin_trgm_ops)")
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_users_search_trgm', 'users', list(SEARCHED), unique=False, postgresql_using='gin',
                    postgresql_ops={column: 'gin_trgm_ops' for column in SEARCHED})


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_users_search_trgm')  # absent where pg_trgm could not be installed
        # The extension stays: other objects may use it, and dropping it needs its owner.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_tenant_id_role_id')
        batch_op.create_index('ix_users_tenant_id_role', ['tenant_id', 'role'], unique=False)
