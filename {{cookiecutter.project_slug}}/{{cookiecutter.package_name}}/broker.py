"""The memory broker: one process, so a published frame goes straight to its hub.

A broker carries each published frame to the hubs that deliver it to clients;
with Redis (``redis/broker.py``) that is the hub of every server process, and
it also carries who is in each room and who is typing. With one process there
is nobody else to tell.
"""


class MemoryBroker:
    """one process: a published frame goes straight to the hub"""

    hub = None

    def attach(self, hub):
        """deliver to this hub"""
        self.hub = hub

    def publish(self, room, text, _key=None):
        """deliver an encoded notification to this process's members of room"""
        self.hub.deliver(room, text)

    def share_presence(self, room, names):
        """this process has (only) names in room now: no other process to tell"""

    def share_typing(self, room, name):
        """name is typing in room: no other process to tell"""

    async def start(self):
        """nothing to connect to"""

    async def close(self):
        """nothing to let go of"""
