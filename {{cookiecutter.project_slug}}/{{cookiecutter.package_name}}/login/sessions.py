"""Login sessions: each login is a row that the signed cookie names, ended at will.

The cookie holds a random session id, signed. A request is logged in while
its session's row exists and is younger than LIFETIME. Logging out deletes
that row; removing an account or changing its password deletes all of the
account's (see accounts.py), so an old cookie opens nothing any more.

A websocket stays open after its upgrade was let in, so ``SessionWatch``
checks the sessions of this process's open sockets every ``interval``
seconds and closes those whose session has ended: in every process, whoever
ended it (another process, ``inv account-remove``).
"""

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Collection
from typing import Final, Protocol, cast

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..history import Unavailable
from ..store.database import Database
from ..store.tables import Account, LoginSession

log = logging.getLogger(__name__)

LIFETIME_DAYS: Final = 14
LIFETIME: Final = LIFETIME_DAYS * 24 * 3600.0
# session ids checked in one query
CHECKED_AT_ONCE: Final = 500
# the close code of a socket whose session ended (4000-4999: the application's)
LOGGED_OUT: Final = 4001


class Watched(Protocol):
    """an open websocket, logged in by a session (handlers.AccountSocket)"""

    @property
    def session_id(self) -> str | None:
        """the id of its session: set once its login was let in"""

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        """close the connection"""


class Sessions:
    """the login sessions kept in the database"""

    def __init__(
        self, database: Database, clock: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self.clock = clock

    async def start(self, db: AsyncSession, account_id: int) -> str:
        """a new session of account_id, in db's transaction; returns its id"""
        session_id = secrets.token_urlsafe(32)
        db.add(LoginSession(id=session_id, account_id=account_id, started=self.clock()))
        return session_id

    async def account(self, session_id: str) -> Account | None:
        """the account logged in by session_id, or None when it has ended"""
        query = (
            select(Account)
            .join(LoginSession, LoginSession.account_id == Account.id)
            .where(
                LoginSession.id == session_id,
                LoginSession.started > self.clock() - LIFETIME,
            )
        )
        async with self.database.bounded('read the account'):
            async with self.database.reading() as db:
                return await db.scalar(query)

    async def end(self, session_id: str) -> None:
        """log session_id out"""
        async with self.database.bounded('end the session'):
            async with self.database.writing() as db:
                await db.execute(
                    delete(LoginSession).where(LoginSession.id == session_id)
                )

    async def alive(self, session_ids: Collection[str]) -> set[str]:
        """those of session_ids that have not ended"""
        oldest = self.clock() - LIFETIME
        alive: set[str] = set()
        ids = sorted(session_ids)
        async with self.database.bounded('check the sessions'):
            async with self.database.reading() as db:
                for start in range(0, len(ids), CHECKED_AT_ONCE):
                    query = select(LoginSession.id).where(
                        LoginSession.id.in_(ids[start : start + CHECKED_AT_ONCE]),
                        LoginSession.started > oldest,
                    )
                    alive.update(await db.scalars(query))
        return alive


class SessionWatch:
    """closes this process's websockets whose login session has ended"""

    def __init__(self, sessions: Sessions, interval: float = 0.5) -> None:
        self.sessions = sessions
        self.interval = interval
        # session id -> the open sockets logged in by it
        self.sockets: dict[str, set[Watched]] = {}
        self.task: asyncio.Task[None] | None = None
        self.failing = False  # the last check could not read the sessions

    def add(self, socket: Watched) -> None:
        """watch an open socket, logged in by socket.session_id"""
        # open: its login was let in, so it has a session
        session_id = cast(str, socket.session_id)
        self.sockets.setdefault(session_id, set()).add(socket)

    def discard(self, socket: Watched) -> None:
        """stop watching a socket that closed"""
        session_id = cast(str, socket.session_id)  # it was open: see add()
        sockets = self.sockets.get(session_id, set())
        sockets.discard(socket)
        if not sockets:
            self.sockets.pop(session_id, None)

    def ended(self, session_id: str) -> None:
        """close the sockets of a session that ended"""
        for socket in self.sockets.pop(session_id, ()):
            socket.close(LOGGED_OUT, 'logged out')

    async def check(self) -> None:
        """close the sockets whose sessions ended since the last check"""
        if not self.sockets:
            return
        try:
            alive = await self.sessions.alive(list(self.sockets))
        except Unavailable as error:
            if not self.failing:
                log.warning('open sessions not checked until it is back: %s', error)
            self.failing = True
            return
        self.failing = False
        for session_id in set(self.sockets) - alive:
            self.ended(session_id)

    async def watch(self) -> None:
        """check every interval seconds, until cancelled"""
        while True:
            await asyncio.sleep(self.interval)
            await self.check()

    def start(self) -> None:
        """start checking"""
        self.task = asyncio.create_task(self.watch())

    async def stop(self) -> None:
        """stop checking"""
        task = cast(asyncio.Task[None], self.task)  # started before it stops
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
