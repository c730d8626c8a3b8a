""" The accounts that may log in, and the backoff that slows password guessing.

After FREE_TRIES failed logins in a row an account is locked for ``backoff``
seconds, doubling with every further failure up to MAX_LOCK; a good password
after the lock has passed clears it. The lock is kept in the database, so it
holds across server processes and restarts.

Each attempt is counted as failed, and the lock it would bring set, in one
UPDATE of the account's row before its password is checked; a right password
then clears both. So guesses sent in parallel are counted one by one (no
update is lost), and once they have locked the account the rest are refused
without being checked.
"""
import asyncio
import time

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from .passwords import UNKNOWN_ACCOUNT_HASH, hash_password, verify_password
from .tables import Account

FREE_TRIES = 3
MAX_LOCK = 15 * 60.0
# failures for which the lock is written out in SQL; past them it is MAX_LOCK
LOCK_STEPS = 32


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


def lock_after_one_more_failure(now, backoff):
    """ the SQL value of locked_until once the account has failed once more """
    failures = Account.failed_logins + 1
    steps = [
        (failures == number, now + lock_seconds(number, backoff))
        for number in range(FREE_TRIES, FREE_TRIES + LOCK_STEPS)
    ]
    return case((failures < FREE_TRIES, 0.0), *steps, else_=now + MAX_LOCK)


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
        async with self.database.bounded('read the account'):
            async with self.database.reading() as db:
                return await db.get(Account, account_id)

    async def login(self, email, password):
        """ the account when the password is right, None when not; raises
        TooSoon, and Unavailable when the database fails or does not answer """
        email = normal_email(email)
        now = self.clock()
        attempt = await self.count_attempt(email, now)
        if attempt is None:
            return await self.refuse(email, password, now)
        if not await _in_thread(verify_password, password, attempt.password_hash):
            return None
        return await self.clear_failures(attempt.id)

    async def count_attempt(self, email, now):
        """ count one more failure of an account that is not locked, and set the
        lock it brings; its (id, password_hash), or None when nothing was counted """
        async with self.database.bounded('count the login'):
            async with self.database.writing() as db:
                counted = await db.execute(
                    update(Account)
                    .where(Account.email == email, Account.locked_until <= now)
                    .values(
                        failed_logins=Account.failed_logins + 1,
                        locked_until=lock_after_one_more_failure(now, self.backoff),
                    )
                    .returning(Account.id, Account.password_hash)
                )
                return counted.first()

    async def clear_failures(self, account_id):
        """ the password was right: no failures, no lock; the account """
        async with self.database.bounded('log in'):
            async with self.database.writing() as db:
                await db.execute(
                    update(Account)
                    .where(Account.id == account_id)
                    .values(failed_logins=0, locked_until=0.0)
                )
                return await db.get(Account, account_id)

    async def refuse(self, email, password, now):
        """ no attempt was counted: TooSoon while the account is locked, or
        None, as slowly as a wrong password, when there is no such account """
        async with self.database.bounded('read the account'):
            async with self.database.reading() as db:
                query = select(Account).where(Account.email == email)
                account = await db.scalar(query)
        if account is not None:
            raise TooSoon(max(account.locked_until - now, 0.0))
        await _in_thread(verify_password, password, UNKNOWN_ACCOUNT_HASH)
        return None
