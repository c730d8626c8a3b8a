"""Password hashing with the standard library's scrypt; never stored in plain text.

A hash reads ``scrypt$n$r$p$salt$key`` (salt and key in base64), so the cost
can be raised later without breaking the hashes already stored: a hash made
at an older cost is made again at the next good login (``needs_rehash``).
COST follows OWASP's advice for scrypt (N=2^17, r=8, p=1): a hash takes a
few tenths of a second and 128 MiB of memory.

Hashes run in ``Hasher``'s small pool of threads (scrypt lets go of the GIL),
so a login never stalls the chat's event loop, and at most ``workers`` run
at once, so fifty logins take 128 MiB each in turn, not all together. When
more than ``waiting`` wait, a login is refused (``Busy``) instead of queued.
"""

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypedDict, TypeVar, TypeVarTuple, Unpack


class Cost(TypedDict):
    """scrypt's cost: n (CPU and memory), r (block size), p (parallelism)"""

    n: int
    r: int
    p: int


COST: Final[Cost] = {'n': 1 << 17, 'r': 8, 'p': 1}
KEY_BYTES: Final = 32
MIN_LENGTH: Final = 8
# password checks that may wait for a worker before logins are refused as busy
WAITING: Final = 64

Result = TypeVar('Result')
Args = TypeVarTuple('Args')


def default_workers() -> int:
    """hashes at once: half the cores, so that the chat keeps the rest"""
    return max(1, (os.cpu_count() or 2) // 2)


def _key(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """the scrypt key of password"""
    return hashlib.scrypt(
        password.encode('utf-8'),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * n * r,
        dklen=KEY_BYTES,
    )


def cost_fields(cost: Cost) -> list[str]:
    """the n, r and p of cost, as a hash writes them"""
    return [str(cost['n']), str(cost['r']), str(cost['p'])]


def hash_password(password: str, cost: Cost | None = None) -> str:
    """a salted hash of password, for storing (at COST unless told)"""
    cost = cost or COST
    salt = secrets.token_bytes(16)
    key = _key(password, salt, **cost)
    encoded = [base64.b64encode(part).decode('ascii') for part in (salt, key)]
    return '$'.join(['scrypt', *cost_fields(cost), *encoded])


def verify_password(password: str, stored: str) -> bool:
    """does password match the stored hash? (constant time)"""
    try:
        scheme, n, r, p, salt, key = stored.split('$')
        if scheme != 'scrypt':
            return False
        expected = base64.b64decode(key)
        found = _key(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found, expected)


def needs_rehash(stored: str, cost: Cost | None = None) -> bool:
    """was the stored hash made at another cost than today's?"""
    return stored.split('$')[1:4] != cost_fields(cost or COST)


class Busy(Exception):
    """too many password checks are waiting: the login is refused, not queued"""


class Hasher:
    """hashes and checks passwords in a bounded pool of threads"""

    def __init__(
        self,
        cost: Cost | None = None,
        workers: int | None = None,
        waiting: int = WAITING,
    ) -> None:
        self.cost = cost or COST
        workers = workers or default_workers()
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix='password')
        self.limit = workers + waiting
        self.pending = 0

    async def run(
        self,
        function: Callable[[Unpack[Args]], Result],
        *args: Unpack[Args],  # noqa: UP044 (axblack cannot parse *Args)
    ) -> Result:
        """the result of function called with args, in the pool; Busy when too
        many wait already"""
        if self.pending >= self.limit:
            raise Busy('too many logins at once; try again in a moment')
        self.pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.pool, function, *args)
        finally:
            self.pending -= 1

    async def hash(self, password: str) -> str:
        """a new hash of password, at this hasher's cost"""
        return await self.run(hash_password, password, self.cost)

    async def verify(self, password: str, stored: str) -> bool:
        """does password match stored?"""
        return await self.run(verify_password, password, stored)

    async def verify_unknown(self, password: str) -> bool:
        """as long as a check, for an account that does not exist: never a match"""
        await self.hash(password)
        return False

    def close(self) -> None:
        """let the threads go (a check still running finishes first)"""
        self.pool.shutdown(wait=False, cancel_futures=True)
