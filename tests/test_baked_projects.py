""" Slow: bake each combination and run the baked project's own checks.

`pytest -m slow` runs these; they take minutes, use the network for `make setup`
(PyPI, npm) and need node and npm, Chromium, PostgreSQL and Redis (see .ci/run).
Each runs under one Python only, so that CI runs every combination once and
each Python some: those marked `once` under 3.11 (tox's py311), those marked
`py312` (the default and the fullest, with the default python_version) under
3.12, those marked `py313` (the default and the fullest again, with
python_version=3.13 and formatter=ruff: axblack does not install on 3.13) under
3.13.
"""
import filecmp
import json
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from combinations import COMBINATIONS, DEFAULT, FULLEST, OPTIONS, combination_id
from conftest import baked_env

pytestmark = pytest.mark.slow
ONCE = pytest.mark.once
PY312 = pytest.mark.py312
PY313 = pytest.mark.py313
# what the slow tests keep for people to read (measurements, not assertions)
ARTIFACTS = Path(__file__).parent.parent / 'artifacts'

# awkward answers: quotes, backslashes, braces and unicode in every free text
AWKWARD = {
    'project_name': 'O\'Connor\'s "Chat" Café',
    'author_name': 'Zoë Ångström 王',
    'description': 'Tea & "talk" \\ {braces}',
    'license': 'BSD-3-Clause',
}
# answers other than the options' ride along with some combinations (one bake
# each: the awkward answers cost no bake of their own)
EXTRA = {
    'none-none-memory': {'python_version': '3.11', **AWKWARD},
    'sqlite-none-redis': {'license': 'Proprietary', 'port': '9000'},
}
assert set(EXTRA) <= set(
    map(combination_id, COMBINATIONS)
), 'EXTRA names no combination'
# the newest Python: its formatter is ruff
TODAY = {'python_version': '3.13', 'formatter': 'ruff'}
# Every combination, and awkward answers: each must bake a project whose lint,
# tests (100% coverage) and docs pass (none-none-memory with the awkward
# answers). The default and the fullest run under 3.12 (PY312), the others
# under 3.11 (ONCE); the default and the fullest again with Python 3.13 and
# ruff (PY313), under 3.13.
SUPPORTED = [
    pytest.param(
        {**answers, **EXTRA.get(combination_id(answers), {})},
        id=combination_id(answers),
        marks=PY312 if answers in (DEFAULT, FULLEST) else ONCE,
    )
    for answers in COMBINATIONS
] + [
    pytest.param(
        {**answers, **TODAY}, id=f'{combination_id(answers)}-py313', marks=PY313
    )
    for answers in (DEFAULT, FULLEST)
]


@pytest.mark.parametrize('answers', SUPPORTED)
def test_baked_project_lints_tests_and_documents(bake, answers):
    """ inv lint (10.00/10, mypy --strict clean), inv test (100%) and inv
    docs-build all pass; the client (copied as it is into every bake) is linted,
    type-checked and tested in the default's and the fullest's bakes """
    project = bake(**answers)
    client = {key: answers[key] for key in OPTIONS} in (DEFAULT, FULLEST)
    flag = '' if client else ' --python-only'
    lint = project.run(f'inv lint{flag}')
    assert 'rated at 10.00/10' in lint
    assert 'Success: no issues found' in lint
    tested = project.run(f'inv test{flag}')
    assert 'Required test coverage of 100% reached' in tested
    plain = re.sub(r'\x1b\[[0-9;]*m', '', tested)
    ran = re.search(r'Tests +\d+ passed', plain)
    assert bool(ran) == client, 'the client tests ran' if ran else 'they did not run'
    project.run('inv docs-build')
    assert (project.path / 'docs/.nojekyll').is_file()
    assert (project.path / 'docs/index.html').is_file()


@ONCE
def test_make_setup_builds_a_working_venv_and_the_commit_hook(bake):
    """ in a git checkout, make setup builds a venv from dev.txt alone that lints
    and tests the project, and installs the pre-commit hook, whose checks all
    pass on every baked file """
    project = bake()
    project.run('git init -q && git add -A')
    project.run('make setup', timeout=900)
    venv_python = project.path / 'venv/bin/python'
    assert venv_python.is_file()
    assert (project.path / 'nenv/bin/node').exists()
    assert (project.path / 'client/node_modules/vite').is_dir()
    assert 'pre-commit' in (project.path / '.git/hooks/pre-commit').read_text()
    clean_path = {'PATH': f'{project.path}/venv/bin:/usr/local/bin:/usr/bin:/bin'}
    # the hooks are inv lint's checks (format, pylint, mypy, eslint, vue-tsc)
    project.run(
        '. venv/bin/activate && pre-commit run --all-files && inv test', env=clean_path
    )


@ONCE
@pytest.mark.parametrize('answers', [pytest.param(FULLEST, id=combination_id(FULLEST))])
def test_inv_lock_compiles_the_shipped_pins(bake, answers):
    """ `inv lock` (uv, from PyPI) compiles pyproject.toml and dev.in into exactly
    the requirements.txt and dev.txt the template ships: the pins are the inputs' """
    project = bake(**answers)
    shipped = {name: project.read(name) for name in ('requirements.txt', 'dev.txt')}
    project.run('inv lock', timeout=300)
    assert {name: project.read(name) for name in shipped} == shipped


# the default, and the combination with the most moving parts
E2E = [
    pytest.param(answers, id=combination_id(answers)) for answers in (DEFAULT, FULLEST)
]


@ONCE
@pytest.mark.parametrize('answers', E2E)
def test_browser_tests_pass_in_headless_chromium(bake, answers):
    """ inv e2e: the real server and Chromium, in a pytest process of their own """
    project = bake(**answers)
    out = project.run('inv e2e', timeout=600)
    assert re.search(r'\b\d+ passed', out) and 'failed' not in out, out


@ONCE
def test_loadtest_runs_and_writes_its_figures(bake, record_property):
    """ inv loadtest, app and baseline, briefly: the JSON holds real figures, kept
    in artifacts/ and in the JUnit report; no speed is asserted """
    project = bake()
    out = project.run(
        'inv loadtest --clients 50 --duration 2 --baseline --json out.json'
    )
    figures = json.loads(project.read('out.json'))
    assert [row['server'] for row in figures['rows']] == ['app', 'baseline']
    for row in figures['rows']:
        assert row['connected'] == 50 and row['deliveries'] > 0, row
        assert row['latency_ms']['samples'] and row['latency_ms']['p99'] is not None
        assert row['server_process']['rss_per_idle_client_kb'] is not None
        assert row['server_process']['cpu_percent'] is not None
    assert figures['ratios'][0]['over_baseline'] > 0
    assert figures['rows'][0]['bake']['database'] == 'sqlite'
    assert 's left' in out and 'bake: sqlite/none/memory' in out
    record(figures, record_property)


def record(figures, record_property):
    """ keep a run's figures: artifacts/loadtest-PYTHON.json, the JUnit report,
    and a line on the terminal (pytest -rP) """
    ARTIFACTS.mkdir(exist_ok=True)
    name = f'loadtest-py{sys.version_info.major}{sys.version_info.minor}.json'
    (ARTIFACTS / name).write_text(json.dumps(figures, indent=2), encoding='utf-8')
    record_property('loadtest_figures', json.dumps(figures['rows']))
    for row in figures['rows']:
        print(
            f"{row['server']} N={row['clients']}: {row['deliveries_per_s']:.0f} "
            f"deliveries/s, p99 {row['latency_ms']['p99']} ms "
            f"({row.get('bake') or 'baseline handler'})"
        )


@ONCE
def test_docker_files_are_valid(bake):
    """ hadolint passes the Dockerfile; docker compose accepts the compose file """
    project = bake()
    project.run('hadolint Dockerfile')
    project.run('docker-compose config -q')


@ONCE
def test_shipped_client_is_a_fresh_build(bake, tmp_path):
    """ `inv build` from the sources writes exactly the bundle the template ships """
    project = bake()
    shipped = tmp_path / 'shipped'
    shutil.copytree(project.path / 'chat/static', shipped)
    project.run('inv build', timeout=600)
    comparison = filecmp.dircmp(shipped, project.path / 'chat/static')
    assert not comparison.left_only and not comparison.right_only
    assert not comparison.diff_files
    for sub in comparison.subdirs.values():
        assert not sub.left_only and not sub.right_only and not sub.diff_files


def free_port():
    """ a TCP port nobody listens on now """
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def fetch_when_up(url, server, seconds=60):
    """ the body of url, asked until the server answers; fails when the server
    exits first or does not answer within seconds """
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode('utf-8')
        except urllib.error.HTTPError:
            raise  # the server is up, and said no
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, f'the server exited: {server.communicate()}'
            assert time.monotonic() < deadline, f'{url} did not answer in {seconds} s'
            time.sleep(0.2)


@ONCE
def test_the_wheel_installs_and_its_command_serves_the_chat(bake, tmp_path):
    """ inv dist builds an sdist without the tests and the client's sources, and a
    wheel (twine checks both) that holds the package with the built client, the
    login pages and the migrations, and nothing else; installed into a fresh
    venv, `chat --port=N` migrates a database and serves the chat """
    project = bake(auth='password')
    project.run('inv dist', timeout=300)
    (wheel,) = (project.path / 'dist').glob('chat-0.1.0-*.whl')
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {name.split('/')[0] for name in names} == {'chat', 'chat-0.1.0.dist-info'}
    (sdist,) = (project.path / 'dist').glob('chat-0.1.0.tar.gz')
    with tarfile.open(sdist) as archive:
        sources = [name.split('/', 1)[-1] for name in archive.getnames()]
    assert 'chat/static/index.html' in sources
    assert not [name for name in sources if name.startswith(('tests', 'client'))]
    for name in [
        'chat/static/index.html',
        'chat/static/favicon.svg',
        'chat/login/templates/login.html',
        'chat/store/migrations/script.py.mako',
        'chat/store/migrations/versions/0004_login_sessions.py',
    ]:
        assert name in names, name
    venv = tmp_path / 'venv'
    project.run(f'{sys.executable} -m venv {venv}')
    project.run(f'{venv}/bin/pip install -q {wheel}', timeout=300)
    port = free_port()
    with subprocess.Popen(
        [venv / 'bin/chat', f'--port={port}'],
        cwd=tmp_path,
        env={**baked_env(), 'COOKIE_SECRET': 'x' * 43},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            page = fetch_when_up(f'http://127.0.0.1:{port}/', server)
            login = fetch_when_up(f'http://127.0.0.1:{port}/login', server)
        finally:
            server.terminate()
            output, _ = server.communicate(timeout=30)
    assert '<div id="app"></div>' in page
    assert 'type="password"' in login
    assert (tmp_path / 'chat.db').is_file()
    assert server.returncode == 0, output


@ONCE
def test_inv_bump_counts_the_version_up_everywhere(bake):
    """ --dry-run changes nothing; --part=minor changes pyproject.toml (both
    places) and the package's __version__ """
    project = bake()
    before = project.read('pyproject.toml')
    project.run('inv bump --part=minor --dry-run')
    assert project.read('pyproject.toml') == before
    out = project.run('inv bump --part=minor')
    assert 'version: 0.1.0 -> 0.2.0' in out
    meta = tomllib.loads(project.read('pyproject.toml'))
    assert meta['project']['version'] == '0.2.0'
    assert meta['tool']['bumpversion']['current_version'] == '0.2.0'
    assert "__version__ = '0.2.0'" in project.read('chat/__init__.py')
