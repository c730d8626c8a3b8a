"""The tests of the Redis broker and of several processes (broker=redis)."""
