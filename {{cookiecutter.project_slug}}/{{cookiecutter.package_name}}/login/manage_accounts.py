"""The accounts from the command line: ``inv account-add``, ``-list``, ``-remove``,
``-password``.

``python -m {{ cookiecutter.package_name }}.login.manage_accounts add EMAIL [--name NAME]`` asks for the
password twice without echo at a terminal, and reads one line from standard input otherwise;
``password EMAIL`` sets a new one the same way. Removing an account or setting its password
ends its sessions: its open sockets close within a second, in every server process.
"""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable
from typing import TextIO

from ..environment import read_env_file
from ..protocol import MAX_NAME, name_problem
from ..store.database import Database, url_from_environment
from ..store.migrate import ensure_schema
from .accounts import AccountExists, Accounts, NoSuchAccount
from .passwords import MIN_LENGTH


class UsageError(Exception):
    """the command cannot be done as asked; its text is shown"""


def read_password(
    stream: TextIO, prompt: Callable[[str], str] = getpass.getpass
) -> str:
    """the new password: asked twice at a terminal, one line from a pipe"""
    if stream.isatty():
        password = prompt('Password: ')
        if prompt('Password again: ') != password:
            raise UsageError('the passwords differ')
    else:
        password = stream.readline().rstrip('\r\n')
    if len(password) < MIN_LENGTH:
        raise UsageError(f'the password needs at least {MIN_LENGTH} characters')
    return password


async def add(accounts: Accounts, args: argparse.Namespace, stdin: TextIO) -> str:
    """add an account"""
    name = (args.name or args.email.split('@')[0]).strip()[:MAX_NAME]
    problem = name_problem(name)
    if problem:
        raise UsageError(f'{problem}: choose another with --name')
    try:
        await accounts.add(args.email, name, read_password(stdin))
    except AccountExists as error:
        raise UsageError(str(error)) from error
    return f'added {args.email} as {name}'


async def remove(accounts: Accounts, args: argparse.Namespace, _stdin: TextIO) -> str:
    """remove an account"""
    if not await accounts.remove(args.email):
        raise UsageError(f'there is no account {args.email}')
    return f'removed {args.email}'


async def new_password(
    accounts: Accounts, args: argparse.Namespace, stdin: TextIO
) -> str:
    """set an account's password"""
    try:
        await accounts.set_password(args.email, read_password(stdin))
    except NoSuchAccount as error:
        raise UsageError(str(error)) from error
    return f'new password for {args.email}; its sessions are ended'


async def listing(accounts: Accounts, _args: argparse.Namespace, _stdin: TextIO) -> str:
    """every account"""
    everyone = await accounts.everyone()
    return '\n'.join(f'{one.email}\t{one.name}' for one in everyone) or 'no accounts'


def parser() -> argparse.ArgumentParser:
    """the command line"""
    commands = argparse.ArgumentParser(
        prog='manage_accounts', description='manage the accounts'
    )
    commands.add_argument('--database-url', default=url_from_environment())
    actions = commands.add_subparsers(dest='action', required=True)
    adding = actions.add_parser('add', help='add an account')
    adding.add_argument('email')
    adding.add_argument('--name', help='shown on messages (default: from the e-mail)')
    adding.set_defaults(run=add)
    removing = actions.add_parser('remove', help='remove an account')
    removing.add_argument('email')
    removing.set_defaults(run=remove)
    changing = actions.add_parser('password', help="set an account's password")
    changing.add_argument('email')
    changing.set_defaults(run=new_password)
    actions.add_parser('list', help='list the accounts').set_defaults(run=listing)
    return commands


async def run(argv: list[str], stdin: TextIO = sys.stdin) -> int:
    """do what argv asks; returns the exit status"""
    read_env_file('.env')
    args = parser().parse_args(argv)
    database = Database.at(args.database_url)
    accounts = Accounts(database)
    try:
        await ensure_schema(database.engine, upgrade_allowed=True)
        print(await args.run(accounts, args, stdin))
    except UsageError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    finally:
        accounts.hasher.close()
        await database.close()
    return 0


if __name__ == '__main__':
    sys.exit(asyncio.run(run(sys.argv[1:])))
