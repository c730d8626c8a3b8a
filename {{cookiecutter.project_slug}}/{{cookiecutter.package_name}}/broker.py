"""The memory broker: one process, so a published frame goes straight to its hub.

A broker carries each published frame to the hubs that deliver it to clients;
with Redis (``redis/broker.py``) that is the hub of every server process, and
it also carries who is in each room and who is typing. With one process there
is nobody else to tell. ``Broker`` is what the hub asks of a broker, and
``Receiver`` what a broker may ask of the hub it delivers to.
"""

from collections.abc import Collection
from typing import Protocol

from .protocol import ChatMessage, SendKey


class Receiver(Protocol):
    """what a broker hands what it carries to: the hub of its process"""

    def deliver(self, room: str | None, text: str) -> None:
        """queue an encoded notification for the members of room here (None:
        for every client)"""

    def heard(self, message: ChatMessage, key: SendKey | None) -> None:
        """another process said message (for the send of key)"""

    def elsewhere(self, process: str, room: str, names: Collection[str]) -> None:
        """another process has (only) names in room now"""

    def gone(self, process: str) -> None:
        """another process is gone, and its people with it"""

    def tell_typing(self, room: str, name: str) -> None:
        """tell the room's members here that name (elsewhere) is typing"""


class Broker(Protocol):
    """what the hub asks of a broker (MemoryBroker, or redis.broker.RedisBroker)"""

    def attach(self, hub: Receiver) -> None:
        """deliver to this hub"""

    def publish(self, room: str, text: str, key: SendKey | None = None, /) -> None:
        """carry an encoded message notification of room (said by the send of
        key) to the members of room in every process"""

    def share_presence(self, room: str, names: list[str]) -> None:
        """this process has (only) names in room now (sorted)"""

    def share_typing(self, room: str, name: str) -> None:
        """name is typing in room"""

    async def start(self) -> None:
        """connect, before clients do"""

    async def close(self) -> None:
        """let go, once the clients are gone"""


class MemoryBroker:
    """one process: a published frame goes straight to the hub"""

    hub: Receiver  # set by attach()

    def attach(self, hub: Receiver) -> None:
        """deliver to this hub"""
        self.hub = hub

    def publish(self, room: str, text: str, _key: SendKey | None = None) -> None:
        """deliver an encoded notification to this process's members of room"""
        self.hub.deliver(room, text)

    def share_presence(self, room: str, names: list[str]) -> None:
        """this process has (only) names in room now: no other process to tell"""

    def share_typing(self, room: str, name: str) -> None:
        """name is typing in room: no other process to tell"""

    async def start(self) -> None:
        """nothing to connect to"""

    async def close(self) -> None:
        """nothing to let go of"""
