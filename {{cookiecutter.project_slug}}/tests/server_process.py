"""A chat server started the way users start it, in a process of its own."""

import asyncio
import os
import signal
import subprocess
import sys
import time


class ServerProcess:
    """`python -m {{ cookiecutter.package_name }}.main` in a process of its own, logging to a file"""

    def __init__(self, args, folder, env):
        self.log = folder / 'server.log'
        with self.log.open('wb') as output:
            # its own session: whatever is left of it can be killed as a group
            # pylint: disable-next=consider-using-with
            self.process = subprocess.Popen(
                [sys.executable, '-m', '{{ cookiecutter.package_name }}.main', *args],
                cwd=folder,
                env=env,
                stderr=output,
                start_new_session=True,
            )

    def said(self):
        """what it has logged so far"""
        return self.log.read_text(encoding='utf-8', errors='replace')

    async def until_said(self, text, times=1, seconds=30):
        """wait until text is in the log, times times"""
        deadline = time.monotonic() + seconds
        while self.said().count(text) < times:
            assert self.process.poll() is None, f'it ended:\n{self.said()}'
            assert time.monotonic() < deadline, f'{text!r} not said:\n{self.said()}'
            await asyncio.sleep(0.05)

    def stop(self, signum=signal.SIGINT):
        """send signum; the exit code"""
        self.process.send_signal(signum)
        return self.wait()

    def wait(self, seconds=15):
        """the exit code, once it has ended"""
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError(f'still running:\n{self.said()}') from None

    def kill(self):
        """end it and all it started, if any is left"""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
