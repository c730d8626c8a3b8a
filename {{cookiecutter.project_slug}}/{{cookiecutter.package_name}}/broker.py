"""The memory broker: one process, so a published frame goes straight to its hub.

A broker carries each published frame to the hubs that deliver it to clients;
with Redis (``redis_broker.py``) that is the hub of every server process.
"""


class MemoryBroker:
    """one process: a published frame goes straight to the hub"""

    hub = None

    def attach(self, hub):
        """deliver to this hub"""
        self.hub = hub

    def publish(self, room, text):
        """deliver an encoded notification to this process's members of room"""
        self.hub.deliver(room, text)

    async def start(self):
        """nothing to connect to"""

    async def close(self):
        """nothing to let go of"""
