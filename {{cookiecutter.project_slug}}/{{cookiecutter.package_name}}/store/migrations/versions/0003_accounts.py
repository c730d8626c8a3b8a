"""the users table is named accounts, the one word the code uses for them

Revision ID: 0003
Revises: 0002
"""

# Alembic names revision files and their variables; alembic.op is a proxy.
# pylint: disable=invalid-name,no-member
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    """apply this revision"""
    op.rename_table('users', 'accounts')


def downgrade():
    """undo this revision"""
    op.rename_table('accounts', 'users')
