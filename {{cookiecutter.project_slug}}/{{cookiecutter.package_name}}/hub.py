""" Fan-out: every message published here reaches every client of this process.

The hub encodes a message once and hands the same text to each client, so the
cost per client is one write. A client that went away is dropped and never
stops the others from receiving.
"""
from .protocol import encode


class Hub:
    """ the clients connected to this process """

    def __init__(self):
        self.clients = set()

    def join(self, client):
        """ start delivering to client """
        self.clients.add(client)

    def leave(self, client):
        """ stop delivering to client """
        self.clients.discard(client)

    def publish(self, message):
        """ send message (a dict) to every client """
        self.deliver(encode(message))

    def deliver(self, frame):
        """ write one encoded frame to every client; drop the ones that fail """
        for client in list(self.clients):
            if not client.send_frame(frame):
                self.leave(client)

    def close_all(self, code, reason):
        """ close every client's connection, e.g. when the server stops """
        for client in list(self.clients):
            client.close(code, reason)
