"""What the websocket asks of a history: keep a message, give the recent ones.

With a database the history is ``store.Store``; without one nothing is kept,
and ``NoHistory`` stamps each message and forgets it.
"""

from .protocol import chat_message


class Unavailable(Exception):
    """what keeps the chat's data could not be used just now; the text says why"""


class NoHistory:
    """nothing is kept: every client starts with an empty history"""

    async def add(self, name, text, ts):
        """the message as every client receives it (without an id: it is not stored)"""
        return chat_message(name, text, ts)

    async def recent(self):
        """no messages"""
        return []
