{%- set ruff = cookiecutter.formatter == 'ruff' -%}
{%- set style = 'ruff' if ruff else 'axblack, isort' -%}
{%- set code = 'ruff, pylint' if ruff else 'pylint' -%}
"""The project's chores: `inv -l` lists them, `inv --help TASK` explains one."""

import re
import shlex
import shutil
import sys
import tomllib
import webbrowser
from pathlib import Path
from typing import Final

from invoke.context import Context
from invoke.tasks import task

PACKAGE: Final = '{{ cookiecutter.package_name }}'
PYTHON_SOURCES: Final = f'{PACKAGE} loadtest tests tasks.py docsrc/conf.py'
DOCS_DIR: Final = Path('docs')
DIST_DIR: Final = Path('dist')
# what `inv bump` counts up: bump-my-version parses MAJOR.MINOR.PATCH
BUMPABLE: Final = re.compile(r'\d+\.\d+\.\d+')
VERSION_PARTS: Final = ('patch', 'minor', 'major')
CHEATSHEET = 'https://github.com/ralsina/rst-cheatsheet/blob/master/rst-cheatsheet.rst'
# layout and the order of imports: checked (inv format --check, inv lint) and
# fixed (inv format); then the checks of the code itself (inv lint)
{%- if ruff %}
STYLE_CHECKS = ['ruff format --check --diff', 'ruff check --select I']
STYLE_FIXES = ['ruff check --select I --fix', 'ruff format']
CODE_CHECKS = ['ruff check', 'pylint']
{%- else %}
STYLE_CHECKS = ['black --check --diff', 'isort --check-only --diff']
STYLE_FIXES = ['isort', 'black']
CODE_CHECKS = ['pylint']
{%- endif %}
# the types, mypy --strict: what it checks is in pyproject.toml ([tool.mypy])
TYPE_CHECK: Final = 'mypy'


def has_node() -> bool:
    """is there a node for the client's tools (the project's nenv or the system's)?"""
    return Path('nenv').is_dir() or bool(shutil.which('npm'))


def node(ctx: Context, command: str) -> None:
    """run command in client/ with the project's node (nenv) or the system's"""
    if not has_node():
        sys.exit('node and npm are needed for this: install node, then `make setup`')
    activate = '. nenv/bin/activate && ' if Path('nenv').is_dir() else ''
    ctx.run(f'{activate}cd client && {command}', pty=sys.stdin.isatty())


def client_packages(ctx: Context) -> None:
    """install the client's packages from the lock file, unless already done"""
    installed = Path('client/node_modules/.package-lock.json')
    lock_file = Path('client/package-lock.json')
    if not installed.is_file() or installed.stat().st_mtime < lock_file.stat().st_mtime:
        node(ctx, 'npm ci --no-audit --no-fund')


@task(
    help={
        'debug': 'reload on change and accept websockets from any origin',
        'port': 'port to listen on',
        'address': 'address to listen on: 0.0.0.0 lets other machines in',
        'options': 'more server options, e.g. --max_text=500 (listed by --options=--help)',
    }
)
def server(
    ctx: Context,
    debug: bool = False,
    port: int = {{ cookiecutter.port | int }},
    address: str = '127.0.0.1',
    options: str = '',
) -> None:
    """run the chat server (on this machine only, unless --address says otherwise)"""
    listen = f'--port={port} --address={shlex.quote(address)}'
    command = f'python -m {PACKAGE}.main {listen} --debug={debug} {options}'
    ctx.run(command.strip(), pty=True)


@task
def client(ctx: Context) -> None:
    """run the vite dev server (hot reload; it proxies /ws to `inv server`)"""
    node(ctx, 'npm run dev')


@task
def build(ctx: Context) -> None:
    """build the vue client into the package's static folder"""
    node(ctx, 'npm ci --no-audit --no-fund && npm run build')


@task
def lint(ctx: Context) -> None:
    """check the layout and imports ({{ style }}), the code ({{ code }}) and
    the types (mypy --strict); the client (eslint, and its types: vue-tsc) too"""
    format_code(ctx, check=True)
    for command in CODE_CHECKS:
        ctx.run(f'{command} {PYTHON_SOURCES}')
    ctx.run(TYPE_CHECK)
    if has_node():
        client_packages(ctx)
        node(ctx, 'npm run lint')
        node(ctx, 'npm run typecheck')
    else:
        print('node not found: the client was not linted (install node, `make setup`)')


@task(
    name='format',
    help={'check': 'change nothing: fail when something would change, and show it'},
)
def format_code(ctx: Context, check: bool = False) -> None:
    """format the python code in place, imports in order ({{ style }})"""
    for command in STYLE_CHECKS if check else STYLE_FIXES:
        ctx.run(f'{command} {PYTHON_SOURCES}')


@task
def test(ctx: Context) -> None:
    """run the tests with coverage (fails under 100%), and the client's (vitest)"""
    ctx.run('pytest')
    if has_node():
        test_client(ctx)
    else:
        print('node not found: ran the Python tests only, not those of the client')


@task
def test_client(ctx: Context) -> None:
    """run the client's unit tests (vitest, in happy-dom)"""
    client_packages(ctx)
    node(ctx, 'npm test')


@task(help={'k': 'run only the tests whose names match this expression'})
def e2e(ctx: Context, k: str = '') -> None:
    """run the browser tests in headless Chromium (CHROMIUM=path picks the browser)"""
    select = f' -k {shlex.quote(k)}' if k else ''
    # their own pytest process: without pytest-tornasync and coverage
    ctx.run(f'pytest tests/e2e -p no:tornado -p no:cov -o addopts=""{select}')


@task
def benchmark(ctx: Context) -> None:
    """time the fan-out benchmarks"""
    ctx.run('pytest tests/test_benchmark.py --benchmark-enable --no-cov')


@task(
    help={
        'clients': 'connections, or a sweep: 100,1000,10000 (default: 1000)',
        'rate': 'messages/s sent in all, each to its whole room; or max (default: 20)',
        'deliveries': 'instead of --rate: deliveries/s offered at every N (default: off)',
        'rooms': 'rooms the clients are spread over: general, room-1, ... (default: 1)',
        'duration': 'seconds measured, after a second of warm-up (default: 10)',
        'size': 'characters of text in each message (default: 100)',
        'json': 'also write the figures to this file as JSON (default: none)',
        'baseline': 'also run a per-client write_message loop; the ratio (default: off)',
        'calibrate': "also run a near-free server: the generator's own (default: off)",
        'url': 'load a running local server, ws://127.0.0.1:PORT/ws (default: none)',
        'pid': "with --url: the server's process id, for CPU and memory (default: none)",
        'cookie': 'a Cookie header every client sends, a login: user=... (default: none)',
        'options': "the app's own options, e.g. '--processes=2' (default: none)",
    }
)
# pylint: disable-next=too-many-arguments,too-many-positional-arguments,too-many-locals
def loadtest(
    ctx: Context,
    clients: str = '1000',
    rate: str = '20',
    deliveries: int = 0,
    duration: int = 10,
    size: int = 100,
    json: str = '',
    baseline: bool = False,
    calibrate: bool = False,
    url: str = '',
    pid: int = 0,
    cookie: str = '',
    options: str = '',
    rooms: int = 1,
) -> None:
    """load the server on localhost: deliveries/s, latency, CPU and memory"""
    values = {
        'clients': clients,
        'rate': rate,
        'deliveries': deliveries,
        'rooms': rooms,
        'duration': duration,
        'size': size,
        'json': json,
        'url': url,
        'pid': pid,
        'cookie': cookie,
        'options': options,
    }
    arguments = [
        f'--{key}={shlex.quote(str(value))}' for key, value in values.items() if value
    ]
    if baseline:
        arguments.append('--baseline')
    if calibrate:
        arguments.append('--calibrate')
    ctx.run(' '.join(['python -m loadtest', *arguments]), pty=sys.stdin.isatty())


@task(help={'upgrade': 'move every pin to the newest version its range allows'})
def lock(ctx: Context, upgrade: bool = False) -> None:
    """compile requirements.txt (from pyproject.toml) and dev.txt (from dev.in too):
    every version pinned, with its hashes, for every platform and Python >= 3.11"""
    compile_pins = (
        'uv pip compile --quiet --universal --python-version 3.11 --generate-hashes'
        " --no-annotate --custom-compile-command 'inv lock'"
        + (' --upgrade' if upgrade else '')
    )
    ctx.run(f'{compile_pins} pyproject.toml -o requirements.txt')
    ctx.run(f'{compile_pins} pyproject.toml dev.in -o dev.txt')


{% if cookiecutter.database != 'none' -%}
@task
def db_upgrade(ctx: Context) -> None:
    """migrate the database ($DATABASE_URL, or the default) to the newest revision"""
    ctx.run(f'python -m {PACKAGE}.store.migrate upgrade')


@task(help={'revision': 'go down to this revision: -1 (one step, the default) or base'})
def db_downgrade(ctx: Context, revision: str = '-1') -> None:
    """migrate the database down"""
    ctx.run(f'python -m {PACKAGE}.store.migrate downgrade {shlex.quote(revision)}')


@task(help={'message': 'what the migration does, e.g. "add rooms"'})
def db_revision(ctx: Context, message: str) -> None:
    """write a migration for what changed in tables.py"""
    ctx.run(f'python -m {PACKAGE}.store.migrate revision {shlex.quote(message)}')


{% endif -%}
{% if cookiecutter.auth == 'password' -%}
@task(
    aliases=['user-add'],
    help={
        'email': 'the e-mail address to log in with',
        'name': 'the name shown on messages (default: from the e-mail)',
    },
)
def account_add(ctx: Context, email: str, name: str = '') -> None:
    """add an account: asks for the password, or reads it from standard input"""
    named = f' --name {shlex.quote(name)}' if name else ''
    command = (
        f'python -m {PACKAGE}.login.manage_accounts add {shlex.quote(email)}{named}'
    )
    ctx.run(command, pty=sys.stdin.isatty())


@task(aliases=['user-list'])
def account_list(ctx: Context) -> None:
    """list the accounts"""
    ctx.run(f'python -m {PACKAGE}.login.manage_accounts list')


@task(aliases=['user-remove'], help={'email': 'the e-mail address of the account'})
def account_remove(ctx: Context, email: str) -> None:
    """remove an account (its open sockets close)"""
    ctx.run(f'python -m {PACKAGE}.login.manage_accounts remove {shlex.quote(email)}')


@task(aliases=['user-password'], help={'email': 'the e-mail address of the account'})
def account_password(ctx: Context, email: str) -> None:
    """set an account's password: asks for it, or reads it from standard input;
    ends the account's sessions"""
    command = f'python -m {PACKAGE}.login.manage_accounts password {shlex.quote(email)}'
    ctx.run(command, pty=sys.stdin.isatty())


{% endif -%}
def project_version() -> str:
    """the version in pyproject.toml"""
    with open('pyproject.toml', 'rb') as file:
        version: str = tomllib.load(file)['project']['version']
    return version


@task(
    help={
        'part': 'the part to count up: patch (the default), minor or major',
        'dry_run': 'show what would change, and change nothing',
    }
)
def bump(ctx: Context, part: str = 'patch', dry_run: bool = False) -> None:
    """count the version up in pyproject.toml and the package (bump-my-version)"""
    version = project_version()
    if not BUMPABLE.fullmatch(version):
        sys.exit(
            f'inv bump counts up MAJOR.MINOR.PATCH versions, not {version}: set it '
            f'by hand in pyproject.toml (twice) and {PACKAGE}/__init__.py'
        )
    if part not in VERSION_PARTS:
        sys.exit(f'--part is one of {", ".join(VERSION_PARTS)}, not {part}')
    dry = ' --dry-run --verbose' if dry_run else ''
    ctx.run(f'bump-my-version bump{dry} {part}')
    if not dry_run:
        print(f'version: {version} -> {project_version()}')


@task
def dist(ctx: Context) -> None:
    """build the sdist and the wheel into dist/, and check them (twine)"""
    shutil.rmtree(DIST_DIR, ignore_errors=True)
    ctx.run(f'python -m build --outdir {DIST_DIR} .')
    ctx.run(f'twine check --strict {DIST_DIR}/*')


@task
def docs_build(ctx: Context) -> None:
    """build the documentation into docs/ (for GitHub Pages)"""
    ctx.run(f'sphinx-build -W --keep-going -b html -d docsrc/_build docsrc {DOCS_DIR}')
    (DOCS_DIR / '.nojekyll').touch()


@task(help={'port': 'port to serve the documentation on'})
def docs_server(ctx: Context, port: int = 8081) -> None:
    """serve the built documentation and open it in a browser"""
    url = f'http://localhost:{port}'
    print(f'docs at: {url}')
    webbrowser.open(url)
    ctx.run(f'python -m http.server {port} --directory={DOCS_DIR}', pty=True)


@task
def cheatsheet(_: Context) -> None:
    """open the reStructuredText cheatsheet"""
    webbrowser.open(CHEATSHEET)


@task(pre=[lint, build, test, docs_build])
def docker(ctx: Context) -> None:
    """check everything, then build and run the docker image"""
    ctx.run('docker compose build')
    ctx.run('docker compose up')
