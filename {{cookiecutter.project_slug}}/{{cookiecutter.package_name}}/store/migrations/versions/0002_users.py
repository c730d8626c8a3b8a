"""the users table: accounts that may log in

Revision ID: 0002
Revises: 0001
"""

# Alembic names revision files and their variables; alembic.op is a proxy.
# pylint: disable=invalid-name,no-member
import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | tuple[str, ...] | None = '0001'
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    """apply this revision"""
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
    )


def downgrade() -> None:
    """undo this revision"""
    op.drop_table('users')
