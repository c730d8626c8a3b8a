""" The accounts that may log in, and the backoff that slows password guessing.

After FREE_TRIES failed logins in a row an account is locked for ``backoff``
seconds, doubling with every further failure up to MAX_LOCK; a good password
after the lock has passed clears it. The lock is kept in the database, so it
holds across server processes and restarts.
"""
import asyncio
import time

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .database import unavailable
from .passwords import UNKNOWN_ACCOUNT_HASH, hash_password, verify_password
from .tables import Account

FREE_TRIES = 3
MAX_LOCK = 15 * 60.0


class AccountExists(Exception):
    """ an account with that e-mail already exists """


class TooSoon(Exception):
    """ the account is locked after failed logins; seconds says for how long """

    def __init__(self, seconds):
        super().__init__(f'try again in {seconds:.0f} s')
        self.seconds = seconds


def lock_seconds(failures, backoff):
    """ how long an account stays locked after failures failed logins in a row """
    if failures < FREE_TRIES:
        return 0.0
    return min(backoff * 2 ** (failures - FREE_TRIES), MAX_LOCK)


def normal_email(email):
    """ e-mail addresses compare without case and surrounding space """
    return email.strip().lower()


async def _in_thread(function, *args):
    """ run a slow hash off the event loop """
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


class Accounts:
    """ the accounts, their passwords and their failed logins """

    def __init__(self, database, backoff=1.0, clock=time.time):
        self.database = database
        self.backoff = backoff
        self.clock = clock

    async def add(self, email, name, password):
        """ create an account; raises AccountExists """
        password_hash = await _in_thread(hash_password, password)
        account = Account(
            email=normal_email(email),
            name=name,
            password_hash=password_hash,
            failed_logins=0,
            locked_until=0.0,
        )
        try:
            async with self.database.writing() as db:
                db.add(account)
        except IntegrityError as error:
            raise AccountExists(f'{account.email} already has an account') from error
        return account

    async def remove(self, email):
        """ delete an account; True when there was one """
        async with self.database.writing() as db:
            result = await db.execute(
                delete(Account).where(Account.email == normal_email(email))
            )
        return result.rowcount > 0

    async def everyone(self):
        """ every account, by e-mail """
        async with self.database.reading() as db:
            return (await db.scalars(select(Account).order_by(Account.email))).all()

    async def by_id(self, account_id):
        """ the account with this id, or None """
        with unavailable('read the account'):
            async with self.database.reading() as db:
                return await db.get(Account, account_id)

    async def login(self, email, password):
        """ the account when the password is right, None when not; raises TooSoon """
        async with self.database.writing() as db:
            account = await db.scalar(
                select(Account).where(Account.email == normal_email(email))
            )
            if account is None:
                await _in_thread(verify_password, password, UNKNOWN_ACCOUNT_HASH)
                return None
            now = self.clock()
            if now < account.locked_until:
                raise TooSoon(account.locked_until - now)
            if await _in_thread(verify_password, password, account.password_hash):
                account.failed_logins = 0
                account.locked_until = 0.0
                return account
            account.failed_logins += 1
            account.locked_until = now + lock_seconds(
                account.failed_logins, self.backoff
            )
        return None
