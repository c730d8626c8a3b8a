"""Group commit: what arrives while a write is in flight is written together.

A lone item is written at once (no timer: a quiet room waits for nothing);
items that come while that write runs wait for it, then go in one write of
their own, at most ``most`` at a time. Each caller gets its own result, and
the callers of one write are answered in arrival order within one turn of the
event loop, so what they do next (publish a message) keeps that order. When a
write fails, every caller in it gets its error.
"""

import asyncio

MOST = 500


class GroupCommit:
    """``await group.add(item)``: item written with whatever else is waiting"""

    def __init__(self, write, most=MOST):
        self.write = write  # async: a list of items -> their results, in order
        self.most = most
        self.waiting = []  # (item, future) in arrival order
        self.writer = None  # the task that writes, while there is something to write
        self.writes = 0

    async def add(self, item):
        """the result of writing item, once the write that holds it is done"""
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.writer is None:
            self.writer = asyncio.ensure_future(self.drain())
        return await future

    async def drain(self):
        """write what waits, a batch at a time, until nothing does"""
        try:
            while self.waiting:
                batch = self.waiting[: self.most]
                del self.waiting[: self.most]
                await self.write_batch(batch)
        finally:
            self.writer = None

    async def write_batch(self, batch):
        """one write of the batch's items; each caller gets its result or the error"""
        self.writes += 1
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
        for future, result, error in answers:
            if future.done():
                continue  # its caller was cancelled and no longer waits
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
