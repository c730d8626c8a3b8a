"""A token bucket per connection: a steady rate, with room for a short burst.

A flooding client gets an error frame for each message over its allowance and
nothing of it reaches the room, so it cannot slow the chat for anyone else.
"""

import time
from collections.abc import Callable


class TokenBucket:
    """allows rate messages a second on average, and up to burst at once"""

    # one per connection: slots keep thousands of them small
    __slots__ = ('rate', 'burst', 'clock', 'tokens', 'updated')

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.updated = clock()

    def take(self) -> bool:
        """spend one token if there is one; False when over the limit"""
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
