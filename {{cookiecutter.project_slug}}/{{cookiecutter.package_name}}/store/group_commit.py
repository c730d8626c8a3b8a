"""Group commit: what arrives while a write is in flight is written together.

A lone item is written at once (no timer: a quiet room waits for nothing);
items that come while that write runs wait for it, then go in one write of
their own, at most ``most`` at a time. Each caller gets its own result, and
the callers of one write are answered in arrival order within one turn of the
event loop, so what they do next (publish a message) keeps that order. When a
write fails, every caller in it gets its error.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, Generic, TypeAlias, TypeVar

MOST: Final = 500

Item = TypeVar('Item')
Result = TypeVar('Result')
# a caller's future, with its result (and no error) or with the error of its write
Answer: TypeAlias = (
    tuple['asyncio.Future[Result]', Result, None]
    | tuple['asyncio.Future[Result]', None, Exception]
)


class GroupCommit(Generic[Item, Result]):
    """``await group.add(item)``: item written with whatever else is waiting"""

    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[Sequence[Result]]],
        most: int = MOST,
    ) -> None:
        self.write = write  # a list of items -> their results, in order
        self.most = most
        # (item, future) in arrival order
        self.waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        # the task that writes, while there is something to write
        self.writer: asyncio.Future[None] | None = None
        self.writes = 0

    async def add(self, item: Item) -> Result:
        """the result of writing item, once the write that holds it is done"""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.writer is None:
            self.writer = asyncio.ensure_future(self.drain())
        return await future

    async def drain(self) -> None:
        """write what waits, a batch at a time, until nothing does"""
        try:
            while self.waiting:
                batch = self.waiting[: self.most]
                del self.waiting[: self.most]
                await self.write_batch(batch)
        finally:
            self.writer = None

    async def write_batch(
        self, batch: list[tuple[Item, asyncio.Future[Result]]]
    ) -> None:
        """one write of the batch's items; each caller gets its result or the error"""
        self.writes += 1
        answers: list[Answer[Result]]
        try:
            results = await self.write([item for item, _ in batch])
        # whatever failed the write fails each of its callers, who are waiting for it
        except Exception as error:  # pylint: disable=broad-exception-caught
            answers = [(future, None, error) for _, future in batch]
        else:
            answers = [
                (future, result, None)
                for (_, future), result in zip(batch, results, strict=True)
            ]
        for answer in answers:
            future = answer[0]
            if future.done():
                continue  # its caller was cancelled and no longer waits
            # indexed, not unpacked: the error's None tells the result's type
            if answer[2] is None:
                future.set_result(answer[1])
            else:
                future.set_exception(answer[2])
