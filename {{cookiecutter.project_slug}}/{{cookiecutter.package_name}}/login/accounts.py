"""The accounts that may log in: adding, removing, new passwords, and logging in.

A login is counted by the throttle (throttle.py) before its password
is checked, and the check runs in the hasher's pool (passwords.py), outside
any database transaction: reading the account and writing the outcome are
two short transactions around it. A right password clears its count, starts
a session (sessions.py), and makes the hash again when it was made at
an older cost. Removing an account or giving it a new password ends all of
its sessions.
"""

import time
from collections.abc import Callable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.database import Database
from ..store.tables import Account, LoginSession
from .passwords import Hasher, needs_rehash
from .sessions import Sessions
from .throttle import Throttle


class AccountExists(Exception):
    """an account with that e-mail already exists"""


class NoSuchAccount(Exception):
    """there is no account with that e-mail"""


def normal_email(email: str) -> str:
    """e-mail addresses compare without case and surrounding space"""
    return email.strip().lower()


class Accounts:
    """the accounts, their passwords and their sessions"""

    def __init__(
        self,
        database: Database,
        backoff: float = 1.0,
        hasher: Hasher | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.throttle = Throttle(backoff)
        self.hasher = hasher or Hasher()
        self.sessions = Sessions(database, clock)
        self.clock = clock

    async def add(self, email: str, name: str, password: str) -> Account:
        """create an account; raises AccountExists"""
        account = Account(
            email=normal_email(email),
            name=name,
            password_hash=await self.hasher.hash(password),
        )
        try:
            async with self.database.writing() as db:
                db.add(account)
        except IntegrityError as error:
            raise AccountExists(f'{account.email} already has an account') from error
        return account

    async def remove(self, email: str) -> bool:
        """delete an account and end its sessions; True when there was one"""
        async with self.database.writing() as db:
            account_id = await self.end_sessions(db, email)
            await db.execute(delete(Account).where(Account.id == account_id))
        return account_id is not None

    async def set_password(self, email: str, password: str) -> None:
        """give an account a new password and end its sessions; NoSuchAccount"""
        password_hash = await self.hasher.hash(password)
        async with self.database.writing() as db:
            account_id = await self.end_sessions(db, email)
            if account_id is None:
                raise NoSuchAccount(f'there is no account {normal_email(email)}')
            await db.execute(
                update(Account)
                .where(Account.id == account_id)
                .values(password_hash=password_hash)
            )

    @staticmethod
    async def end_sessions(db: AsyncSession, email: str) -> int | None:
        """end every session of the account with email; its id, or None"""
        query = select(Account.id).where(Account.email == normal_email(email))
        account_id = await db.scalar(query)
        await db.execute(
            delete(LoginSession).where(LoginSession.account_id == account_id)
        )
        return account_id

    async def everyone(self) -> Sequence[Account]:
        """every account, by e-mail"""
        async with self.database.reading() as db:
            return (await db.scalars(select(Account).order_by(Account.email))).all()

    async def login(
        self, email: str, password: str, address: str
    ) -> tuple[Account, str] | None:
        """(account, session id) when the password is right, None when not;
        raises TooSoon after too many failures, passwords.Busy when too many
        logins wait, history.Unavailable while the database is away"""
        email = normal_email(email)
        async with self.database.bounded('check the login'):
            async with self.database.writing() as db:
                await self.throttle.count(db, email, address, self.clock())
                account = await db.scalar(select(Account).where(Account.email == email))
        if account is None:
            await self.hasher.verify_unknown(password)
            return None
        if not await self.hasher.verify(password, account.password_hash):
            return None
        rehashed = await self.rehash(account, password)
        async with self.database.bounded('start the session'):
            async with self.database.writing() as db:
                await self.throttle.forget(db, email, address, self.clock())
                if rehashed:
                    await db.execute(
                        update(Account)
                        .where(Account.id == account.id)
                        .values(password_hash=rehashed)
                    )
                session_id = await self.sessions.start(db, account.id)
        return account, session_id

    async def rehash(self, account: Account, password: str) -> str | None:
        """a new hash of the right password when the stored one is of an
        older cost, else None"""
        if needs_rehash(account.password_hash, self.hasher.cost):
            return await self.hasher.hash(password)
        return None
