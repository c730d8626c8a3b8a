""" Fixtures for the template's own tests: bake with answers, look at the result.

`bake(**answers)` bakes the template with pytest-cookies and returns a Baked
project (or raises with cookiecutter's error); `baked(**answers)` does the same
once per session and set of answers, for tests that only look;
`refuse(**answers)` bakes expecting the pre-gen hook to refuse, and returns what
it said.
"""
import fnmatch
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parent.parent
CONTEXT = json.loads((TEMPLATE / 'cookiecutter.json').read_text(encoding='utf-8'))
COPY_WITHOUT_RENDER = CONTEXT['_copy_without_render']
# what each prompt answers when not told: a string, or the first of its choices
DEFAULTS = {
    key: value[0] if isinstance(value, list) else value
    for key, value in CONTEXT.items()
}
# the tools of the Python running these tests: the baked projects use them
TOOLS_PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ['PATH']])


def pytest_xdist_auto_num_workers(config):
    """ `-n auto`: one worker more than there are cores. A baked project's own
    checks keep about 0.6 of a core busy (they wait on the servers, browsers and
    subprocesses they start), so with one worker a core the cores idle a third
    of the time """
    del config
    return (os.cpu_count() or 1) + 1


def baked_env():
    """ the environment of the baked projects' commands: this one's, without
    pytest's own settings (PYTEST_ADDOPTS, PYTEST_CURRENT_TEST, pytest-xdist's
    PYTEST_XDIST_WORKER...), which are not theirs """
    return {
        key: value for key, value in os.environ.items() if not key.startswith('PYTEST_')
    }


@dataclass
class Baked:
    """ a baked project and ways to look into it """

    path: Path
    context: dict

    def has_file(self, name):
        """ is there a file at name (relative to the project)? """
        return (self.path / name).is_file()

    def read(self, name):
        """ the text of a file """
        return (self.path / name).read_text(encoding='utf-8')

    def files(self):
        """ every file, relative to the project """
        return sorted(
            path.relative_to(self.path)
            for path in self.path.rglob('*')
            if path.is_file()
        )

    def is_copied_without_render(self, name):
        """ is name one of the files cookiecutter copies as they are? """
        return any(
            fnmatch.fnmatch(str(name), pattern) for pattern in COPY_WITHOUT_RENDER
        )

    def run(self, command, timeout=600, env=None):
        """ run a shell command in the project; fail the test with its output,
        also when it runs past timeout (then the whole process group is killed,
        so no server or pytest it started outlives it) """
        with subprocess.Popen(
            command,
            shell=True,
            cwd=self.path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**baked_env(), 'PATH': TOOLS_PATH, **(env or {})},
            start_new_session=True,
        ) as process:
            try:
                stdout, stderr = process.communicate(timeout=timeout)
                failure = f'failed with {process.returncode}'
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
                failure = f'ran past {timeout} s'
        assert process.returncode == 0, (
            f'`{command}` {failure} in {self.path}\n'
            f'{stdout[-6000:]}\n{stderr[-6000:]}'
        )
        return stdout


def bake_with(cookies, answers):
    """ bake with pytest-cookies' helper; fail the test with cookiecutter's error """
    result = cookies.bake(extra_context=answers)
    assert result.exit_code == 0, f'baking {answers} failed: {result.exception}'
    return Baked(Path(result.project_path), result.context)


@pytest.fixture
def bake(cookies):
    """ a factory: `project = bake(license='MIT')`, a fresh project each call """
    return lambda **answers: bake_with(cookies, answers)


@pytest.fixture(scope='session')
def baked(cookies_session):
    """ a factory like bake, but each set of answers is baked once per session:
    for tests that only look at the files, never change them """
    projects = {}

    def make(**answers):
        given = {
            key: value for key, value in answers.items() if value != DEFAULTS.get(key)
        }
        key = json.dumps(given, sort_keys=True)
        if key not in projects:
            projects[key] = bake_with(cookies_session, answers)
        return projects[key]

    return make


@pytest.fixture
def refuse(cookies, tmp_path, capfd):
    """ a factory: `message = refuse(port='0')`, asserting nothing was written """

    def make(**answers):
        result = cookies.bake(extra_context=answers)
        assert result.exit_code != 0, f'{answers} was accepted'
        written = [path for path in (tmp_path / 'cookies').rglob('*') if path.is_file()]
        assert not written, f'{answers} was refused but left {written}'
        return capfd.readouterr().err

    return make
