"""The chat history, kept in the database, room by room.

Every message is stored before it is broadcast; a client that connects gets
the most recent ones first, and one that comes back can ask for what it
missed (``after``) or page back through older ones (``before``). Messages
older than the retention are deleted in the background (``prune``). A
database that fails or goes away raises ``history.Unavailable``, which the
websocket turns into an error frame and a log line; so does one that does not
answer within the database's timeout.
"""

import asyncio
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Table, delete, insert, select

from ..protocol import DEFAULT_ROOM, ChatMessage, SendKey, chat_message
from .database import Database
from .group_commit import GroupCommit
from .tables import InsertMessages, Message, MessageRow

# a mapped class's table is a Table (SQLAlchemy types it as any FromClause)
MESSAGES: Final = cast(Table, Message.__table__)
# rows deleted in one transaction: short ones, never the table
PRUNE_AT_ONCE: Final = 1000


class SharedRead:
    """the newest read of one room's recent messages, shared by those who wait"""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.started = 0
        # (number of the read, its messages)
        self.fresh: tuple[int, list[ChatMessage]] | None = None


class Store:
    """the message history of the chat"""

    def __init__(self, database: Database, history_size: int = 50) -> None:
        self.database = database
        self.history_size = history_size
        self.reads: dict[str, SharedRead] = {}  # room -> SharedRead
        self.group = GroupCommit(self.insert)
        # one statement for every write: the writer compiles it once
        self.statement: InsertMessages = insert(MESSAGES).returning(
            MESSAGES.c.id, sort_by_parameter_order=database.returning_sorted
        )

    async def add(
        self, name: str, text: str, ts: float, room: str = DEFAULT_ROOM
    ) -> ChatMessage:
        """keep a message said in room; returns it as clients receive it, with its id

        Messages that come while others are being stored are stored together
        (``group_commit.py``): one transaction, one INSERT.
        """
        row: MessageRow = {'name': name, 'text': text, 'ts': ts, 'room': room}
        return await self.group.add(row)

    async def insert(self, rows: list[MessageRow]) -> list[ChatMessage]:
        """store rows in one transaction; the messages, with their ids, in rows' order"""
        async with self.database.bounded('store the messages'):
            ids = sorted(await self.database.write_rows(self.statement, rows))
        return [
            chat_message(id_, row['room'], row['name'], row['text'], row['ts'])
            for row, id_ in zip(rows, ids, strict=True)
        ]

    def keep(self, message: ChatMessage, _key: SendKey | None = None) -> None:
        """a message another server process said: it stored it already"""

    async def recent(self, room: str = DEFAULT_ROOM) -> list[ChatMessage]:
        """the last history_size messages of room, oldest first, as read after this call

        Calls that come while a read of the room runs share the next read, which
        starts after them all: a burst of a thousand connections makes two
        queries, not a thousand held open at once (and the memory they take).
        The list is shared too: do not change it.
        """
        shared = self.reads.setdefault(room, SharedRead())
        asked = shared.started
        async with shared.lock:
            if shared.fresh is not None and shared.fresh[0] > asked:
                # that read started after this call: nothing stored before it is missing
                return shared.fresh[1]
            shared.started += 1
            number = shared.started
            messages = await self.newest(room, self.history_size)
            shared.fresh = (number, messages)
            return messages

    async def after(self, room: str, after_id: int) -> tuple[list[ChatMessage], bool]:
        """(the messages of room newer than after_id, oldest first, whether some
        are left out): at most history_size, the newest; older ones are paged
        back to with ``before``"""
        messages = await self.newest(room, self.history_size + 1, after=after_id)
        return messages[-self.history_size :], len(messages) > self.history_size

    async def before(self, room: str, before_id: int, limit: int) -> list[ChatMessage]:
        """the (at most limit) messages of room just older than before_id, oldest first"""
        return await self.newest(room, limit, before=before_id)

    async def newest(
        self, room: str, limit: int, after: int | None = None, before: int | None = None
    ) -> list[ChatMessage]:
        """the newest limit messages of room between after and before (ids, both
        left out), oldest first, from the database"""
        query = select(Message).where(Message.room == room)
        if after is not None:
            query = query.where(Message.id > after)
        if before is not None:
            query = query.where(Message.id < before)
        query = query.order_by(Message.id.desc()).limit(limit)
        async with self.database.bounded('read the history'):
            async with self.database.reading() as db:
                rows = (await db.scalars(query)).all()
        return [row.to_message() for row in reversed(rows)]

    async def prune(self, older_than: float) -> int:
        """delete every message stamped before older_than (seconds since the
        epoch), a short transaction at a time; how many were deleted"""
        oldest = (
            select(Message.id)
            .where(Message.ts < older_than)
            .order_by(Message.id)
            .limit(PRUNE_AT_ONCE)
        )
        statement = delete(Message).where(Message.id.in_(oldest.scalar_subquery()))
        deleted = 0
        while True:
            async with self.database.bounded('delete old messages'):
                async with self.database.writing() as db:
                    # a DELETE's result is a CursorResult, which counts its rows
                    result = cast(CursorResult[Any], await db.execute(statement))
                    count = result.rowcount
            deleted += count
            if count < PRUNE_AT_ONCE:
                return deleted
