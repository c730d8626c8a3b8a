"""The accounts' command line: inv account-add, -list, -password and -remove."""

import io

import pytest

from {{ cookiecutter.package_name }}.login.manage_accounts import UsageError, read_password, run


class Terminal(io.StringIO):
    """standard input that is a terminal"""

    def isatty(self):
        """yes, a terminal"""
        return True


def answers(*typed):
    """a prompt that answers with typed, one after the other"""
    replies = iter(typed)
    return lambda _prompt: next(replies)


def test_a_terminal_is_asked_twice_without_echo():
    """at a terminal the password is asked for and confirmed"""
    typed = answers('long enough', 'long enough')
    assert read_password(Terminal(), typed) == 'long enough'
    with pytest.raises(UsageError, match='differ'):
        read_password(Terminal(), answers('long enough', 'long enougH'))


def test_a_pipe_gives_one_line():
    """scripts pipe the password in"""
    assert read_password(io.StringIO('from a script\nignored\n')) == 'from a script'
    with pytest.raises(UsageError, match='at least 8'):
        read_password(io.StringIO('short\n'))


async def test_add_list_and_remove(database_url, capsys):
    """the whole life of an account, from the command line"""
    url = ['--database-url', database_url]
    assert await run([*url, 'list']) == 0
    assert capsys.readouterr().out == 'no accounts\n'
    assert await run([*url, 'add', 'zoe@example.com'], io.StringIO('zoe secret\n')) == 0
    assert capsys.readouterr().out == 'added zoe@example.com as zoe\n'
    argv = [*url, 'add', 'bo@example.com', '--name', 'Bo B.']
    assert await run(argv, io.StringIO('bo secret!\n')) == 0
    assert await run([*url, 'list']) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        'bo@example.com\tBo B.',
        'zoe@example.com\tzoe',
    ]
    assert (
        await run([*url, 'password', 'zoe@example.com'], io.StringIO('new one!\n')) == 0
    )
    assert capsys.readouterr().out.endswith(
        'new password for zoe@example.com; its sessions are ended\n'
    )
    assert await run([*url, 'remove', 'zoe@example.com']) == 0
    assert capsys.readouterr().out == 'removed zoe@example.com\n'


async def test_mistakes_are_explained(database_url, capsys):
    """a second account for one e-mail, or removing nobody or giving nobody a
    password, is an error, exit 1"""
    url = ['--database-url', database_url]
    assert await run([*url, 'add', 'zoe@example.com'], io.StringIO('zoe secret\n')) == 0
    assert await run([*url, 'add', 'zoe@example.com'], io.StringIO('zoe secret\n')) == 1
    assert 'error: zoe@example.com already has an account' in capsys.readouterr().err
    assert await run([*url, 'remove', 'nobody@example.com']) == 1
    assert 'error: there is no account nobody@example.com' in capsys.readouterr().err
    argv = [*url, 'password', 'nobody@example.com']
    assert await run(argv, io.StringIO('new one!\n')) == 1
    assert 'error: there is no account nobody@example.com' in capsys.readouterr().err


async def test_a_name_with_control_characters_is_refused(database_url, capsys):
    """a bidi control would turn the name around on screen: refused, explained"""
    argv = ['--database-url', database_url, 'add', 'x@example.com']
    spoofed = [*argv, '--name', 'innocent\u202egnp.exe']
    assert await run(spoofed, io.StringIO('a secret!\n')) == 1
    assert 'the name must not hold control characters' in capsys.readouterr().err
    assert await run([*argv, '--name', 'Ann'], io.StringIO('a secret!\n')) == 0


def test_python_dash_m_lists_the_accounts(run_module):
    """`python -m {{ cookiecutter.package_name }}.login.manage_accounts list`, as `inv account-list` runs it"""
    assert run_module('login.manage_accounts', 'list').stdout == 'no accounts\n'
