"""Compile every pin, with hashes: `make lock` runs this (`make lock UPGRADE=1`
moves the pins to the newest versions the ranges allow).

1. requirements-dev.in -> requirements-dev.txt: the template's tests run with these.
2. For each choice that changes what a baked project installs (database, broker,
   formatter), bake the project and run its own `inv lock`, constrained by
   requirements-dev.txt: its requirements.txt and dev.txt pin the versions the
   template's tests ran on.
3. Write the baked projects' requirements.txt and dev.txt back into the template,
   each entry under the Jinja condition of the answers that need it, and check that
   the template renders each choice's files exactly as `inv lock` wrote them.
"""

import itertools
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import jinja2

TEMPLATE = Path(__file__).resolve().parent.parent
PROJECT = TEMPLATE / '{{cookiecutter.project_slug}}'
TOOLS = Path(sys.executable).parent
# the answers that change the pins, and the files each one changes
DIMENSIONS = {
    'database': ('sqlite', 'postgresql', 'none'),
    'broker': ('memory', 'redis'),
    'formatter': ('axblack', 'ruff'),
}
FILES = {'requirements.txt': ('database', 'broker'), 'dev.txt': tuple(DIMENSIONS)}


def run(command, cwd, env=None):
    """run a command, failing loudly"""
    subprocess.run(command, cwd=cwd, check=True, env={**os.environ, **(env or {})})


def compile_template_pins(upgrade):
    """requirements-dev.in -> requirements-dev.txt"""
    run(
        [
            TOOLS / 'uv', 'pip', 'compile', '--quiet', '--universal',
            '--python-version', '3.11', '--generate-hashes',
            '--custom-compile-command', 'make lock',
            *(['--upgrade'] if upgrade else []),
            'requirements-dev.in', '-o', 'requirements-dev.txt',
        ],
        TEMPLATE,
    )


def bake_and_lock(choice, folder, upgrade):
    """the requirements.txt and dev.txt a project baked with choice locks"""
    auth = {'auth': 'none'}
    answers = [f'{key}={value}' for key, value in {**choice, **auth}.items()]
    run(
        [TOOLS / 'cookiecutter', '--no-input', '-o', folder, TEMPLATE, *answers],
        TEMPLATE,
    )
    (project,) = Path(folder).iterdir()
    constraint = {'UV_CONSTRAINT': str(TEMPLATE / 'requirements-dev.txt')}
    run(
        [TOOLS / 'inv', 'lock', *(['--upgrade'] if upgrade else [])],
        project,
        env={**constraint, 'PATH': f'{TOOLS}{os.pathsep}{os.environ["PATH"]}'},
    )
    return {name: (project / name).read_text(encoding='utf-8') for name in FILES}


def entries(text):
    """a compiled file's header (its leading comments) and entries (a pin and
    its hash lines)"""
    lines = text.rstrip('\n').split('\n')
    header = list(itertools.takewhile(lambda line: line.startswith('#'), lines))
    found = []
    for line in lines[len(header) :]:
        if line.startswith(' '):
            found[-1] += '\n' + line
        else:
            found.append(line)
    return '\n'.join(header), found


def literals(dimensions):
    """the conditions on one answer: (test, Jinja text)"""
    for key in dimensions:
        for value in DIMENSIONS[key]:
            yield (lambda c, k=key, v=value: c[k] == v), f"cookiecutter.{key} == '{value}'"
            if len(DIMENSIONS[key]) > 2:
                yield (lambda c, k=key, v=value: c[k] != v), f"cookiecutter.{key} != '{value}'"


def condition(wanted, choices, dimensions):
    """the simplest Jinja condition true for exactly the choices in wanted; None
    when every choice wants it"""
    if len(wanted) == len(choices):
        return None
    simple = list(literals(dimensions))
    candidates = list(simple)
    for (one, first), (two, second) in itertools.combinations(simple, 2):
        candidates.append((lambda c, a=one, b=two: a(c) and b(c), f'{first} and {second}'))
        candidates.append((lambda c, a=one, b=two: a(c) or b(c), f'{first} or {second}'))
    for test, text in candidates:
        if all(test(dict(choice)) == (choice in wanted) for choice in choices):
            return text
    raise SystemExit(f'no simple condition for {sorted(wanted)}: extend condition()')


def template_of(locked, dimensions):
    """the Jinja template whose rendering for each choice is what it locked"""
    choices = list(locked)
    headers = {entries(text)[0] for text in locked.values()}
    (header,) = headers
    wanted = {}
    for choice, text in locked.items():
        for entry in entries(text)[1]:
            wanted.setdefault(entry, set()).add(choice)
    name = lambda entry: re.split(r'[=\s;]', entry, maxsplit=1)[0].lower()
    parts, last = [header], None
    for entry in sorted(wanted, key=lambda entry: (name(entry), entry)):
        test = condition(wanted[entry], choices, dimensions)
        if test != last and last is not None:
            parts.append('\n{%- endif %}')
        if test != last and test is not None:
            parts.append(f'\n{{%- if {test} %}}')
        parts.append('\n' + entry)
        last = test
    if last is not None:
        parts.append('\n{%- endif %}')
    return ''.join(parts) + '\n'


def check(template, locked):
    """the template renders each choice's file exactly"""
    compiled = jinja2.Environment(keep_trailing_newline=True).from_string(template)
    for choice, text in locked.items():
        rendered = compiled.render(cookiecutter=dict(choice))
        assert rendered == text, f'{dict(choice)} does not render as locked'


def main():
    """compile the template's pins, then every baked project's"""
    upgrade = os.environ.get('UPGRADE', '') not in ('', '0')
    compile_template_pins(upgrade)
    locked = {name: {} for name in FILES}
    with tempfile.TemporaryDirectory() as scratch:
        for values in itertools.product(*DIMENSIONS.values()):
            choice = dict(zip(DIMENSIONS, values))
            folder = Path(scratch, '-'.join(values))
            for name, text in bake_and_lock(choice, folder, upgrade).items():
                key = tuple((dim, choice[dim]) for dim in FILES[name])
                assert locked[name].setdefault(key, text) == text, (name, key)
    for name, dimensions in FILES.items():
        template = template_of(
            {frozenset(key): text for key, text in locked[name].items()}, dimensions
        )
        check(template, {frozenset(key): text for key, text in locked[name].items()})
        (PROJECT / name).write_text(template, encoding='utf-8')
        print(f'{name}: {len(locked[name])} choices')


if __name__ == '__main__':
    main()
