""" The database plumbing: the engine, short units of work, and failures made plain.

The engine is SQLAlchemy 2's asyncio engine, set up for the chosen database
(``{{ cookiecutter.database }}.py``). Whatever fails or goes away in the
database comes out of ``unavailable()`` as ``history.Unavailable``, which the
callers turn into an error frame, a 503 or a clear message, and a log line.
"""
import contextlib
import os

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from .history import Unavailable
from .{{ cookiecutter.database }} import DEFAULT_URL, configure


def url_from_environment(environ=None):
    """ DATABASE_URL from the environment, or the default """
    return (os.environ if environ is None else environ).get('DATABASE_URL', DEFAULT_URL)


def make_engine(url):
    """ an asyncio engine that checks a pooled connection before using it """
    engine = create_async_engine(url, pool_pre_ping=True)
    configure(engine)
    return engine


@contextlib.contextmanager
def unavailable(doing):
    """ turn a database failure while doing something into Unavailable """
    try:
        yield
    except (SQLAlchemyError, OSError) as error:
        raise Unavailable(f'could not {doing}: {error}') from error


class Database:
    """ one database: its engine and the units of work done on it """

    def __init__(self, engine):
        self.engine = engine
        self.work = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def at(cls, url):
        """ the database at url """
        return cls(make_engine(url))

    def reading(self):
        """ ``async with database.reading() as db:`` a unit of work that only reads """
        return self.work()

    def writing(self):
        """ ``async with database.writing() as db:`` one transaction, committed at the end """
        return self.work.begin()

    async def close(self):
        """ close every pooled connection """
        await self.engine.dispose()
