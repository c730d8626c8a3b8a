"""Scale-out through Redis (broker=redis): the Stream broker, presence across
processes and ``--processes``. ``part.py`` plugs it into the server."""
