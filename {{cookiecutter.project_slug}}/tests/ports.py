"""Ports for the servers the tests start."""

import socket


def free_port():
    """a loopback port nobody listens on right now"""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
