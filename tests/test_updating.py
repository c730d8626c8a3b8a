""" Baking again from kept answers: the pre-gen hook's retry hint, the baked
.cookiecutter.json replayed, what keeps cruft off .env, the READMEs' word on
updating, and (slow) cruft's create, update, check and diff for real.

These run the cookiecutter and cruft commands as a user does, each with a user
config of its own (COOKIECUTTER_CONFIG) so that no replay file or clone lands in
the home folder.
"""
import filecmp
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import TEMPLATE

TOOLS = Path(sys.executable).parent
# what a git copy of the template leaves out: git-ignored, or another repository
NOT_COPIED = (
    '.git',
    '.venv',
    '.tox',
    'demo',
    'artifacts',
    '.cache',
    'node_modules',
    '__pycache__',
    '.pytest_cache',
    '*.py[cod]',
)
GIT_IDENTITY = {
    'GIT_AUTHOR_NAME': 'Test',
    'GIT_AUTHOR_EMAIL': 'test@example.com',
    'GIT_COMMITTER_NAME': 'Test',
    'GIT_COMMITTER_EMAIL': 'test@example.com',
}
# answers away from the defaults, so that a replay that fell back to them shows
ANSWERS = {
    'project_name': 'Zoë\'s "Chat"',
    'author_name': 'Zoë Ångström',
    'port': '9000',
    'license': 'Apache-2.0',
    'database': 'postgresql',
    'auth': 'password',
    'broker': 'redis',
}


@pytest.fixture(name='run')
def fixture_run(tmp_path):
    """ a factory: `run('cookiecutter', ...)` runs a command of this Python's
    venv in tmp_path with a user config of its own (replay_dir and clones in
    tmp_path/user) and returns the finished process """
    user = tmp_path / 'user'
    user.mkdir()
    config = user / 'config.yaml'
    config.write_text(
        f'replay_dir: {user / "replay"}\ncookiecutters_dir: {user / "clones"}\n',
        encoding='utf-8',
    )
    env = {**os.environ, 'COOKIECUTTER_CONFIG': str(config)}

    def run(command, *args, cwd=tmp_path):
        return subprocess.run(
            [str(TOOLS / command), *map(str, args)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return run


def succeeded(process):
    """ the process's stdout, or fail the test with all it said """
    assert process.returncode == 0, f'{process.args}\n{process.stdout}{process.stderr}'
    return process.stdout


def differences(left, right, ignore=('.env',)):
    """ the paths that differ between two trees, or are in one only """
    comparison = filecmp.dircmp(left, right, ignore=list(ignore))
    found = [
        *comparison.left_only,
        *comparison.right_only,
        *comparison.diff_files,
        *comparison.funny_files,
    ]
    for name in comparison.common_dirs:
        found += [f'{name}/{path}' for path in differences(left / name, right / name)]
    return sorted(found)


def test_every_bad_answer_is_reported_and_the_hint_bakes_again(run, tmp_path):
    """ two bad answers: both named, nothing written, and the printed command,
    once the replay file it names is corrected, bakes the other answers kept """
    out = tmp_path / 'out'
    refused = run(
        'cookiecutter',
        '--no-input',
        TEMPLATE,
        '-o',
        out,
        'project_name=Zoë Chat',
        'port=0',
        'author_email=nobody',
    )
    assert refused.returncode != 0
    errors = [line for line in refused.stderr.splitlines() if 'not allowed' in line]
    assert [line.split()[:2] for line in errors] == [
        ['ERROR:', 'port'],
        ['ERROR:', 'author_email'],
    ]
    assert not [path for path in out.rglob('*') if path.is_file()]
    command = shlex.split(refused.stderr.strip().splitlines()[-1])
    assert command[:2] == ['cookiecutter', '--replay-file']
    kept = Path(command[2])
    assert kept.is_relative_to(tmp_path / 'user/replay')
    replay = json.loads(kept.read_text(encoding='utf-8'))
    replay['cookiecutter'].update(port='8080', author_email='zoe@example.com')
    kept.write_text(json.dumps(replay), encoding='utf-8')
    succeeded(run(*command))
    recorded = json.loads((out / 'zoe-chat/.cookiecutter.json').read_text('utf-8'))
    assert recorded['cookiecutter']['project_name'] == 'Zoë Chat'
    assert recorded['cookiecutter']['author_email'] == 'zoe@example.com'


def test_the_answers_file_replays_the_same_project(run, tmp_path):
    """ `cookiecutter --replay-file .cookiecutter.json TEMPLATE` bakes the same
    files again; only .env differs (a new secret) """
    args = [f'{key}={value}' for key, value in ANSWERS.items()]
    succeeded(run('cookiecutter', '--no-input', TEMPLATE, '-o', 'first', *args))
    (first,) = (tmp_path / 'first').iterdir()
    answers = first / '.cookiecutter.json'
    succeeded(run('cookiecutter', '--replay-file', answers, TEMPLATE, '-o', 'again'))
    again = tmp_path / 'again' / first.name
    assert differences(first, again) == []
    assert (first / '.env').read_text('utf-8') != (again / '.env').read_text('utf-8')
    baked = json.loads(answers.read_text(encoding='utf-8'))['cookiecutter']
    assert {key: baked[key] for key in ANSWERS} == ANSWERS


def test_cruft_is_told_to_leave_the_secret_alone(baked):
    """ cruft skips .env; what an update cannot merge is not committed by mistake """
    project = baked()
    assert tomllib.loads(project.read('pyproject.toml'))['tool']['cruft'] == {
        'skip': ['.env']
    }
    assert {'.env', '*.rej', '*.orig'} <= set(project.read('.gitignore').splitlines())


def test_the_readmes_say_how_to_update(baked):
    """ the template's README: both tools, step by step; the baked one points there """
    readme = (TEMPLATE / 'README.md').read_text(encoding='utf-8')
    section = readme.split('\n## Updating a baked project\n')[1].split('\n## ')[0]
    for command in ('cruft create', 'cruft check', 'cruft diff', 'cruft update'):
        assert command in section
    assert 'cookiecutter --replay-file .cookiecutter.json' in section
    assert '## Updating from the template' in baked().read('README.md')


def git(folder, *args):
    """ run git in folder, as someone with a name; its output """
    return subprocess.run(
        ['git', *args],
        cwd=folder,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def commit(folder, message):
    """ commit every change in folder """
    git(folder, 'add', '--all')
    git(folder, 'commit', '--quiet', '--message', message)


def git_copy_of_template(folder):
    """ the template's files as a git repository of one commit: cruft clones
    its template """
    shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns(*NOT_COPIED))
    git(folder, 'init', '--quiet')
    commit(folder, 'the template')
    return folder


def append(path, text):
    """ add text at the end of a file """
    with path.open('a', encoding='utf-8') as file:
        file.write(text)


@pytest.mark.slow
@pytest.mark.once
def test_cruft_updates_a_project_cleanly_and_keeps_its_secret(run, tmp_path):
    """ cruft create, a commit to the template, cruft update: the change
    arrives beside the project's own, nothing is rejected, .env is untouched
    and never shown; cruft check tells the two states apart """
    template = git_copy_of_template(tmp_path / 'template')
    succeeded(run('cruft', 'create', '--no-input', template))
    project = tmp_path / 'chat'
    git(project, 'init', '--quiet')
    commit(project, 'baked')
    secret = (project / '.env').read_text(encoding='utf-8')
    assert secret.startswith('COOKIE_SECRET=')
    succeeded(run('cruft', 'check', cwd=project))
    fresh = succeeded(run('cruft', 'diff', '--exit-code', cwd=project))
    assert 'COOKIE_SECRET' not in fresh

    append(project / 'README.md', '\nOur own notes.\n')
    commit(project, 'our notes')
    append(template / '{{cookiecutter.project_slug}}/setup.cfg', '\n# from upstream\n')
    commit(template, 'a change to a baked file')
    assert run('cruft', 'check', cwd=project).returncode != 0

    succeeded(run('cruft', 'update', '--skip-apply-ask', cwd=project))
    assert (project / 'setup.cfg').read_text('utf-8').endswith('# from upstream\n')
    assert (project / 'README.md').read_text('utf-8').endswith('Our own notes.\n')
    assert not [*project.rglob('*.rej'), *project.rglob('*.orig')]
    assert (project / '.env').read_text(encoding='utf-8') == secret
    assert '.env' not in git(project, 'status', '--porcelain')
    succeeded(run('cruft', 'check', cwd=project))
    # what the project holds that the template does not: its own notes only
    diff = succeeded(run('cruft', 'diff', cwd=project))
    assert re.findall(r'^diff --git \S+/(\S+)', diff, re.MULTILINE) == ['README.md']
    assert 'COOKIE_SECRET' not in diff
    assert git(project, 'check-ignore', '.env.rej', 'setup.cfg.orig').split() == [
        '.env.rej',
        'setup.cfg.orig',
    ]
