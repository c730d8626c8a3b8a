"""Login (auth=password): accounts, scrypt passwords, sessions, the throttle and
the pages. ``part.py`` plugs it into the server."""
