""" Refuse answers that would bake a broken project, before anything is written.

Cookiecutter renders this file with Jinja; the answers arrive as JSON text
inside a raw string, so no answer is ever pasted into code. On bad answers it
lists every problem, then says how to bake again without answering every prompt
again.
"""
import json
import keyword
import os
import re
import shlex
import sys
from typing import Any, TypeAlias

from cookiecutter.config import get_user_config
from cookiecutter.exceptions import CookiecutterException
from cookiecutter.replay import get_file_name

SLUG_PATTERN = re.compile(r'^[a-z0-9]+(?:[-_][a-z0-9]+)*$')
PACKAGE_PATTERN = re.compile(r'^[a-z_][a-z0-9_]*$')
EMAIL_PATTERN = re.compile(r'^[^@\s]+@[^@\s]+$')
# a PEP 440 release such as 0.1.0, 1.0rc1 or 2.0.post1
VERSION_PATTERN = re.compile(r'^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$')
# names the baked project already gives to a folder, a module or a dependency
TAKEN_NAMES = frozenset(
    ['client', 'docs', 'docsrc', 'invoke', 'tasks', 'tests', 'tornado']
)
# the answers, and what cookiecutter adds to them (_template, _output_dir, ...)
Answers: TypeAlias = dict[str, Any]


def read_answers() -> Answers:
    """ the answers given at the prompts, as a dict """
    answers: Answers = json.loads(r'''{{ cookiecutter | tojson }}''')
    return answers


def check_slug(slug: str) -> str | None:
    """ a folder name of lower-case letters, digits, '-' and '_' """
    if not SLUG_PATTERN.match(slug):
        return (
            f'project_slug {slug!r} is not allowed: use lower-case letters, '
            'digits and single "-" or "_" between them.'
        )
    return None


def check_package_name(name: str) -> str | None:
    """ a lower-case Python identifier that is not a keyword """
    if not PACKAGE_PATTERN.match(name) or keyword.iskeyword(name):
        return (
            f'package_name {name!r} is not allowed: use a lower-case Python '
            'identifier (letters, digits, "_", not starting with a digit) '
            'that is not a Python keyword.'
        )
    if name in sys.stdlib_module_names or name in TAKEN_NAMES:
        return (
            f'package_name {name!r} is not allowed: it is the name of a '
            'standard library module or of a folder or tool the project '
            'already uses; choose another.'
        )
    return None


def check_port(port: object) -> str | None:
    """ a whole number from 1 to 65535 """
    text = str(port).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        return f'port {port!r} is not allowed: use a whole number from 1 to 65535.'
    return None


def check_email(email: str) -> str | None:
    """ an address with one '@' and no spaces """
    if not EMAIL_PATTERN.match(email):
        return (
            f'author_email {email!r} is not allowed: use an address such as '
            'you@example.com.'
        )
    return None


def check_version(version: str) -> str | None:
    """ a PEP 440 release number """
    if not VERSION_PATTERN.match(version):
        return (
            f'version {version!r} is not allowed: use a release number such as '
            '0.1.0 or 1.0rc1.'
        )
    return None


def check_combination(answers: Answers) -> str | None:
    """ options that need one another """
    if answers.get('auth') == 'password' and answers.get('database') == 'none':
        return (
            "auth 'password' is not allowed with database 'none': logins are kept "
            "in the database, so choose database 'sqlite' or 'postgresql', or auth "
            "'none'."
        )
    return None


def check_formatter(answers: Answers) -> str | None:
    """ a formatter that installs on the chosen Python """
    if (
        answers.get('python_version') == '3.13'
        and answers.get('formatter') == 'axblack'
    ):
        return (
            'python_version 3.13 needs formatter=ruff: axblack does not install '
            'on Python 3.13 (its typed-ast does not build there), so choose '
            "formatter 'ruff' or python_version '3.12'."
        )
    return None


def problems(answers: Answers) -> list[str]:
    """ every problem with the answers, each one sentence """
    checks = [
        (check_slug, 'project_slug'),
        (check_package_name, 'package_name'),
        (check_port, 'port'),
        (check_email, 'author_email'),
        (check_version, 'version'),
    ]
    found = [check(answers[key]) for check, key in checks]
    found.append(check_combination(answers))
    found.append(check_formatter(answers))
    return [message for message in found if message]


def replay_file(answers: Answers) -> str | None:
    """ the file where cookiecutter kept these very answers for --replay, or
    None: cookiecutter writes it before this hook runs, into the replay_dir of
    the user config (~/.cookiecutter_replay/ by default), named after the
    template's folder; cruft keeps none, and a --config-file given on the
    command line may name a replay_dir this hook cannot see """
    if '_repo_dir' not in answers:
        return None
    try:
        replay_dir = get_user_config()['replay_dir']
    except CookiecutterException:
        return None
    name = os.path.basename(os.path.abspath(answers['_repo_dir']))
    path = get_file_name(replay_dir, name)
    try:
        with open(path, encoding='utf-8') as kept:
            same = json.load(kept)['cookiecutter'] == answers
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if same else None


def given(answers: Answers) -> Answers:
    """ the answers of the prompts, without cookiecutter's private keys """
    return {key: value for key, value in answers.items() if not key.startswith('_')}


def retry_command(answers: Answers) -> tuple[str, list[str]]:
    """ a command that bakes these answers again, once corrected, and what
    to correct before running it """
    kept = replay_file(answers)
    if kept:
        command = ['cookiecutter', '--replay-file', kept]
        command += ['-o', answers['_output_dir'], answers['_template']]
        return f'correct the answers in {kept}, then run', command
    if '_output_dir' in answers:
        command = ['cookiecutter', '--no-input', '-o', answers['_output_dir']]
        command += [answers['_template']]
        command += [f'{key}={value}' for key, value in given(answers).items()]
    else:  # cruft create: it takes answers as JSON
        extra = json.dumps(given(answers), ensure_ascii=False)
        command = ['cruft', 'create', '--no-input', '--extra-context', extra]
        command += [answers['_template']]
    return 'correct the answers named above in this command, then run it', command


def refusal(found: list[str], answers: Answers) -> str:
    """ every problem, one line each, then how to try again """
    how, command = retry_command(answers)
    return '\n'.join(
        [
            *(f'ERROR: {message}' for message in found),
            f'Nothing was written. To try again without typing every answer, {how}:',
            f'    {shlex.join(command)}',
        ]
    )


def main() -> None:
    """ print every problem and how to retry, and exit 1; or do nothing """
    answers = read_answers()
    found = problems(answers)
    if found:
        print(refusal(found, answers), file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
