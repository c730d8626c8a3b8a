"""login sessions that can be ended; failed logins counted by e-mail and address

The failed logins move off the accounts table into a table of their own.

Revision ID: 0004
Revises: 0003
"""

# Alembic names revision files and their variables; alembic.op is a proxy.
# pylint: disable=invalid-name,no-member
import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | tuple[str, ...] | None = '0003'
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    """apply this revision"""
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('started', sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_login_sessions_account_id'), 'login_sessions', ['account_id']
    )
    op.create_table(
        'login_failures',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('since', sa.Double(), nullable=False),
        sa.Column('locked_until', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index(op.f('ix_login_failures_since'), 'login_failures', ['since'])
    with op.batch_alter_table('accounts') as accounts:
        accounts.drop_column('failed_logins')
        accounts.drop_column('locked_until')


def downgrade() -> None:
    """undo this revision"""
    with op.batch_alter_table('accounts') as accounts:
        accounts.add_column(
            sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0')
        )
        accounts.add_column(
            sa.Column('locked_until', sa.Double(), nullable=False, server_default='0')
        )
    op.drop_index(op.f('ix_login_failures_since'), table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_index(op.f('ix_login_sessions_account_id'), table_name='login_sessions')
    op.drop_table('login_sessions')
