"""the room of each message: the history so far is the default room's

Revision ID: 0005
Revises: {{ '0004' if cookiecutter.auth == 'password' else '0001' }}
"""

# Alembic names revision files and their variables; alembic.op is a proxy.
# pylint: disable=invalid-name,no-member
import sqlalchemy as sa
from alembic import op

revision: str = '0005'
# the revision before: the messages table's, or the accounts' when baked with login
down_revision: str | tuple[str, ...] | None = '{{ '0004' if cookiecutter.auth == 'password' else '0001' }}'
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    """apply this revision"""
    op.add_column(
        'messages',
        sa.Column(
            'room', sa.String(length=32), server_default='general', nullable=False
        ),
    )
    op.create_index('ix_messages_room_id', 'messages', ['room', 'id'])


def downgrade() -> None:
    """undo this revision"""
    op.drop_index('ix_messages_room_id', table_name='messages')
    # SQLite cannot drop a column in place: batch mode copies the table
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('room')
