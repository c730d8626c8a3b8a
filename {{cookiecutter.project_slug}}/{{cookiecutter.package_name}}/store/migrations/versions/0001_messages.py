"""the messages table: the chat history

Revision ID: 0001
Revises:
"""

# Alembic names revision files and their variables; alembic.op is a proxy.
# pylint: disable=invalid-name,no-member
import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | tuple[str, ...] | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    """apply this revision"""
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('ts', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_messages_ts', 'messages', ['ts'])


def downgrade() -> None:
    """undo this revision"""
    op.drop_index('ix_messages_ts', table_name='messages')
    op.drop_table('messages')
