"""The login throttle: failed logins slow guessing down without locking anyone out.

Failed logins are counted under two keys, following OWASP's authentication
cheat sheet (throttle, do not lock out; answer every e-mail alike):

- an e-mail *from one client address*: after FREE_TRIES failures that pair
  waits ``backoff`` seconds, doubling with every further failure up to
  MAX_LOCK. Someone guessing a person's password from elsewhere slows
  themselves down, never that person, whose own address counts apart;
- a client address, whatever the e-mails: after ADDRESS_FREE_TRIES failures
  it waits likewise, so one address cannot try a password on every account.

An IPv6 client counts by its /64 network, which one machine may hold whole.
A right password clears its pair, and does not count against its address.
A count starts again WINDOW seconds after its first failure. E-mails with
and without an account are counted alike, so the answers (401, then 429)
tell nothing about which accounts exist; keys are hashes, so the table holds
no e-mail or address.

Each attempt is counted, and the lock it brings set, in one upsert per key
before the password is checked: guesses sent in parallel are counted one by
one, and once they have locked a key the rest are refused unchecked.
"""

import hashlib
import ipaddress
from collections.abc import Callable
from typing import Final, TypeAlias, cast

from sqlalchemy import ColumnElement, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ..store.tables import LoginFailures

FREE_TRIES: Final = 3
ADDRESS_FREE_TRIES: Final = 20
MAX_LOCK: Final = 15 * 60.0
WINDOW: Final = 15 * 60.0
# failures for which the lock is written out in SQL; past them it is MAX_LOCK
LOCK_STEPS: Final = 32
# the databases' own INSERT ... ON CONFLICT DO UPDATE, by dialect name
Upsert: TypeAlias = sqlite.Insert | postgresql.Insert
UPSERT: Final[dict[str, Callable[[type[LoginFailures]], Upsert]]] = {
    'sqlite': sqlite.insert,
    'postgresql': postgresql.insert,
}


class TooSoon(Exception):
    """too many failed logins: seconds says how long until the next try"""

    def __init__(self, seconds: float) -> None:
        super().__init__(f'try again in {seconds:.0f} s')
        self.seconds = seconds


def lock_seconds(failures: int, backoff: float, free_tries: int = FREE_TRIES) -> float:
    """how long a key stays locked after failures failed logins in a row"""
    if failures < free_tries:
        return 0.0
    lock: float = backoff * 2 ** (failures - free_tries)
    return min(lock, MAX_LOCK)


def network(address: str) -> str:
    """what counts as one client: its IPv4 address, or its IPv6 /64"""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    return str(ipaddress.ip_network(f'{parsed}/64', strict=False))


def key(*parts: str) -> str:
    """the counted key of parts (kind, e-mail, network), hashed"""
    return hashlib.sha256('\0'.join(parts).encode('utf-8')).hexdigest()


class Throttle:
    """counts failed logins by e-mail and address, and says who must wait"""

    def __init__(self, backoff: float = 1.0) -> None:
        self.backoff = backoff

    def keys(self, email: str, address: str) -> list[tuple[str, int]]:
        """the keys one attempt is counted under, each with its free tries"""
        where = network(address)
        return [
            (key('pair', email, where), FREE_TRIES),
            (key('address', where), ADDRESS_FREE_TRIES),
        ]

    def lock_after(
        self, failures: ColumnElement[int], now: float, free_tries: int
    ) -> ColumnElement[float]:
        """the SQL value of locked_until once failures (SQL) are counted"""
        steps = [
            (failures == number, now + lock_seconds(number, self.backoff, free_tries))
            for number in range(free_tries, free_tries + LOCK_STEPS)
        ]
        return case((failures < free_tries, 0.0), *steps, else_=now + MAX_LOCK)

    async def count(
        self, db: AsyncSession, email: str, address: str, now: float
    ) -> None:
        """count one attempt under every key, in db's transaction;
        TooSoon (and nothing counted: roll db back) when a key is locked"""
        await self.prune(db, now)
        fresh = LoginFailures.since <= now - WINDOW
        failures = case((fresh, 1), else_=LoginFailures.failures + 1)
        upsert = UPSERT[db.get_bind().dialect.name]
        keys = self.keys(email, address)
        for counted, free_tries in keys:
            counting = upsert(LoginFailures).values(
                key=counted,
                failures=1,
                since=now,
                locked_until=now + lock_seconds(1, self.backoff, free_tries),
            )
            counting = counting.on_conflict_do_update(
                index_elements=[LoginFailures.key],
                set_={
                    'failures': failures,
                    'since': case((fresh, now), else_=LoginFailures.since),
                    'locked_until': self.lock_after(failures, now, free_tries),
                },
                where=LoginFailures.locked_until <= now,
            )
            if (await db.execute(counting.returning(LoginFailures.key))).first():
                continue
            wait = await db.scalar(
                select(func.max(LoginFailures.locked_until)).where(
                    LoginFailures.key.in_([counted for counted, _ in keys])
                )
            )
            # a key is locked: its row is there, the latest lock is no NULL
            raise TooSoon(max(cast(float, wait) - now, 1.0))

    async def forget(
        self, db: AsyncSession, email: str, address: str, now: float
    ) -> None:
        """a right password: clear its pair's count, and take the attempt
        off its address's (people behind one address log in all day)"""
        (pair, _), (shared, free_tries) = self.keys(email, address)
        await db.execute(delete(LoginFailures).where(LoginFailures.key == pair))
        failures = LoginFailures.failures - 1
        await db.execute(
            update(LoginFailures)
            .where(LoginFailures.key == shared)
            .values(
                failures=failures,
                locked_until=self.lock_after(failures, now, free_tries),
            )
        )

    @staticmethod
    async def prune(db: AsyncSession, now: float) -> None:
        """drop the counts that have run their time out"""
        await db.execute(
            delete(LoginFailures).where(
                LoginFailures.since <= now - WINDOW, LoginFailures.locked_until <= now
            )
        )
