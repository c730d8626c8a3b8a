"""A server that ignores SIGTERM, for the load test's last resort: the kill.

``python -m tests.stubborn_server --port=N``: it listens (the backlog accepts
connections) and sleeps, whatever it is told.
"""

import argparse
import signal
import socket
import time


def main():
    """listen on --port, ignore SIGTERM, sleep a minute"""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--address', default='127.0.0.1')
    parser.add_argument('--logging')
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with socket.create_server((args.address, args.port)):
        time.sleep(60)


if __name__ == '__main__':
    main()
