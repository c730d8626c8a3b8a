"""The history in a database (database=sqlite|postgresql): SQLAlchemy 2 asyncio,
Alembic migrations and a group commit. ``part.py`` plugs it into the server."""
