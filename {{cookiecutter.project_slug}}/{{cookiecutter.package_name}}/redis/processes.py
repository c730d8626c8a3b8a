"""Several server processes on one port, supervised: ``--processes N`` (broker=redis).

The children share the port (SO_REUSEPORT) and chat with one another through
Redis. When one ends by itself, the others are stopped too and the exit code
is 1: a process manager (Docker, systemd) then restarts the whole, rather than
leaving fewer processes serving than were asked for.
"""

import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from types import FrameType
from typing import Final

log = logging.getLogger(__name__)

STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


def supervise(command: Sequence[str], processes: int) -> int:
    """run processes copies of command, and stop them all on a signal;
    the exit code: 1 when one ended by itself or failed, else 0"""
    children: dict[int, subprocess.Popen[bytes]] = {}
    for _ in range(processes):
        # pylint: disable-next=consider-using-with
        child = subprocess.Popen(command)
        children[child.pid] = child
    stopping: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        for pid in children:
            # os.kill, not Popen.send_signal: that would reap an ended child here,
            # and os.wait() below would never see it
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, forward)
    log.info(
        '%d server processes on one port: %s', processes, ' '.join(map(str, children))
    )
    codes: list[int] = []
    ended_by_itself = False
    while children:
        pid, status = os.wait()
        child = children.pop(pid)
        # reaped here, so Popen must be told, or it warns that the child still runs
        child.returncode = os.waitstatus_to_exitcode(status)
        codes.append(child.returncode)
        if not stopping:
            ended_by_itself = True
            log.error(
                'server process %d ended with %d: stopping the others',
                pid,
                child.returncode,
            )
            forward(signal.SIGTERM, None)
    return int(ended_by_itself or any(codes))


def server_command(module: str, argv: Sequence[str]) -> list[str]:
    """the command line of one child: this server, alone on the shared port"""
    return [
        sys.executable,
        '-m',
        module,
        *argv[1:],
        '--processes=1',
        '--reuse_port=true',
    ]
