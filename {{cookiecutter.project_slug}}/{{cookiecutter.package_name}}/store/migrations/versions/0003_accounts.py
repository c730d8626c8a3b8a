"""the users table is named accounts, the one word the code uses for them

Revision ID: 0003
Revises: 0002
"""

# Alembic names revision files and their variables; alembic.op is a proxy.
# pylint: disable=invalid-name,no-member
from alembic import op

revision: str = '0003'
down_revision: str | tuple[str, ...] | None = '0002'
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    """apply this revision"""
    op.rename_table('users', 'accounts')


def downgrade() -> None:
    """undo this revision"""
    op.rename_table('accounts', 'users')
