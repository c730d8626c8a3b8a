"""The chat history, kept in the database.

Every message is stored before it is broadcast; a client that connects gets
the most recent ones first. A database that fails or goes away raises
``history.Unavailable``, which the websocket turns into an error frame and a
log line; so does one that does not answer within the database's timeout.
"""

import asyncio

from sqlalchemy import insert, select

from .group_commit import GroupCommit
from .protocol import chat_message
from .tables import Message

MESSAGES = Message.__table__


class Store:
    """the message history of the chat"""

    def __init__(self, database, history_size=50):
        self.database = database
        self.history_size = history_size
        self.reading = asyncio.Lock()
        self.reads_started = 0
        self.fresh = None  # (number of the read, its messages): the newest read
        self.group = GroupCommit(self.insert)

    async def add(self, name, text, ts):
        """keep a message; returns it as clients receive it, with its id

        Messages that come while others are being stored are stored together
        (``group_commit.py``): one transaction, one INSERT.
        """
        return await self.group.add({'name': name, 'text': text, 'ts': ts})

    async def insert(self, rows):
        """store rows in one transaction; the messages, with their ids, in rows' order"""
        statement = insert(MESSAGES).returning(
            MESSAGES.c.id, sort_by_parameter_order=self.database.returning_sorted
        )
        async with self.database.bounded('store the messages'):
            ids = sorted(await self.database.write_rows(statement, rows))
        return [
            chat_message(row['name'], row['text'], row['ts'], id_)
            for row, id_ in zip(rows, ids, strict=True)
        ]

    async def recent(self):
        """the last history_size messages, oldest first, as read after this call

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
        """the last history_size messages, oldest first, from the database"""
        query = select(Message).order_by(Message.id.desc()).limit(self.history_size)
        async with self.database.bounded('read the history'):
            async with self.database.reading() as db:
                rows = (await db.scalars(query)).all()
        return [row.to_message() for row in reversed(rows)]
