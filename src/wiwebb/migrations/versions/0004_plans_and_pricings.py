"""plans and pricings: the catalogue subscribers buy from

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 19:59:22.750654
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('default', sa.Boolean(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('requires_payment', sa.Boolean(), nullable=False),
    sa.Column('auto_renew', sa.Boolean(), nullable=False),
    sa.Column('daily_time_minutes', sa.Integer(), nullable=True),
    sa.Column('daily_data_mb', sa.Integer(), nullable=True),
    sa.Column('stripe_product_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('name', name=op.f('uq_plans_name'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_available'), ['available'], unique=False)

    op.create_table('pricings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('interval', sa.String(length=10), nullable=False),
    sa.Column('trial_period_days', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('stripe_price_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_pricings_plan_id_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pricings'))
    )
    with op.batch_alter_table('pricings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pricings_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_pricings_plan_id'), ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pricings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pricings_plan_id'))
        batch_op.drop_index(batch_op.f('ix_pricings_active'))

    op.drop_table('pricings')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_available'))

    op.drop_table('plans')
