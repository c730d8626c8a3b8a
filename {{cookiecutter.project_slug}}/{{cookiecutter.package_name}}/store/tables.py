"""The database tables, in SQLAlchemy 2's typed declarative style.

Alembic migrations in ``migrations/`` create these; a test checks that the
two agree (autogenerate finds nothing to change).
"""

from typing import Literal, TypeAlias, TypedDict

from sqlalchemy import {% if cookiecutter.auth == 'password' %}ForeignKey, {% endif %}Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.dml import ReturningInsert

from ..protocol import DEFAULT_ROOM, MAX_NAME, MAX_ROOM, ChatMessage, chat_message


class Base(DeclarativeBase):
    """the metadata of every table"""


class Message(Base):
    """one chat message, kept for the history"""

    __tablename__ = 'messages'
    # a room's history, newest first, and paging back through it
    __table_args__ = (Index('ix_messages_room_id', 'room', 'id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    text: Mapped[str] = mapped_column(Text)
    ts: Mapped[float] = mapped_column(index=True)
    room: Mapped[str] = mapped_column(String(MAX_ROOM), server_default=DEFAULT_ROOM)

    def to_message(self) -> ChatMessage:
        """the message as every client receives it"""
        return chat_message(self.id, self.room, self.name, self.text, self.ts)


class MessageRow(TypedDict):
    """the values of a new message's row, as the store inserts them"""

    name: str
    text: str
    ts: float
    room: str


# the keys of a MessageRow
MessageKey: TypeAlias = Literal['name', 'text', 'ts', 'room']
# the store's INSERT of message rows, RETURNING the id of each
InsertMessages: TypeAlias = ReturningInsert[int]
{%- if cookiecutter.auth == 'password' %}


class Account(Base):
    """an account that may log in"""

    __tablename__ = 'accounts'

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    password_hash: Mapped[str] = mapped_column(String(255))


class LoginSession(Base):
    """one login: the signed cookie holds its id; ended by deleting the row"""

    __tablename__ = 'login_sessions'

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey('accounts.id'), index=True)
    started: Mapped[float]


class LoginFailures(Base):
    """failed logins counted under one key (an e-mail and address, or an address)"""

    __tablename__ = 'login_failures'

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    since: Mapped[float] = mapped_column(index=True)
    locked_until: Mapped[float]
{%- endif %}
