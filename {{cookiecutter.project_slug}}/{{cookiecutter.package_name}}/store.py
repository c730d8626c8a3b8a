""" The chat history in a database, through SQLAlchemy 2's asyncio engine.

Every message is stored before it is broadcast; a client that connects gets
the most recent ones first. A database that fails or goes away raises
StoreUnavailable, which the caller turns into an error frame and a log line.
"""
import asyncio
import logging

{% if cookiecutter.database == 'sqlite' -%}
from sqlalchemy import event, select
{% else -%}
from sqlalchemy import select
{% endif -%}
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from .tables import Message

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """ the database could not be used just now """
{%- if cookiecutter.database == 'sqlite' %}


def make_engine(url):
    """ an asyncio engine; SQLite gets WAL so several processes can share it """
    engine = create_async_engine(url, pool_pre_ping=True)
    event.listen(engine.sync_engine, 'connect', _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record):
    """ write-ahead logging (synced at checkpoints, safe from crashes of the app),
    and wait for a lock instead of failing at once """
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.execute('PRAGMA busy_timeout=5000')
    cursor.close()
{%- else %}


def make_engine(url):
    """ an asyncio engine that checks a pooled connection before using it """
    return create_async_engine(url, pool_pre_ping=True)
{%- endif %}


class Store:
    """ the message history of the chat """

    def __init__(self, engine, history_size=50):
        self.engine = engine
        self.history_size = history_size
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.reading = asyncio.Lock()
        self.reads_started = 0
        self.fresh = None  # (number of the read, its messages): the newest read

    async def add(self, name, text, ts):
        """ keep a message; returns it as clients receive it, with its id """
        try:
            async with self.sessions.begin() as session:
                message = Message(name=name, text=text, ts=ts)
                session.add(message)
            return message.to_message()
        except (SQLAlchemyError, OSError) as error:
            raise StoreUnavailable(f'could not store the message: {error}') from error

    async def recent(self):
        """ the last history_size messages, oldest first, as read after this call

        Calls that come while a read runs share the next read, which starts
        after them all: a burst of a thousand connections makes two queries,
        not a thousand held open at once (and the memory they take). The list
        is shared too: do not change it.
        """
        asked = self.reads_started
        async with self.reading:
            if self.fresh is not None and self.fresh[0] > asked:
                # that read started after this call: nothing stored before it is missing
                return self.fresh[1]
            self.reads_started += 1
            number = self.reads_started
            messages = await self.read_recent()
            self.fresh = (number, messages)
            return messages

    async def read_recent(self):
        """ the last history_size messages, oldest first, from the database """
        query = select(Message).order_by(Message.id.desc()).limit(self.history_size)
        try:
            async with self.sessions() as session:
                rows = (await session.scalars(query)).all()
        except (SQLAlchemyError, OSError) as error:
            raise StoreUnavailable(f'could not read the history: {error}') from error
        return [row.to_message() for row in reversed(rows)]

    async def close(self):
        """ close every pooled connection """
        await self.engine.dispose()
