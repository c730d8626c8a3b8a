""" Finish a freshly baked project: licence, secrets, answers, next steps.

Cookiecutter renders this file with Jinja and runs it inside the new project
folder; the answers arrive as JSON text inside a raw string.
"""
import json
import secrets
import shutil
from pathlib import Path
from typing import Any, TypeAlias

LICENSES_DIR = 'licenses'
# the answers, and what cookiecutter adds to them (_template, _output_dir, ...)
Answers: TypeAlias = dict[str, Any]
# what an answer leaves out of the project; {package} is the package's folder
PRUNED = {
    ('database', 'none'): [
        '{package}/store',
        'tests/store',
        'tests/e2e/test_history_in_browser.py',
        'docsrc/database.md',
    ],
    ('database', 'sqlite'): [
        '{package}/store/postgresql.py',
        'tests/store/postgresql_fixtures.py',
        'tests/store/pg_server.py',
        'tests/store/test_postgresql.py',
    ],
    ('database', 'postgresql'): [
        '{package}/store/sqlite.py',
        'tests/store/sqlite_fixtures.py',
        'tests/store/test_sqlite.py',
    ],
    ('broker', 'memory'): ['{package}/redis', 'tests/redis',],
    ('auth', 'password'): [
        'tests/e2e/test_guests_in_browser.py',
        'tests/test_guests.py',
    ],
    ('auth', 'none'): [
        '{package}/login',
        '{package}/static/login.css',
        'client/public/login.css',
        '{package}/store/migrations/versions/0002_users.py',
        '{package}/store/migrations/versions/0003_accounts.py',
        '{package}/store/migrations/versions/0004_login_sessions.py',
        'tests/login',
        'tests/e2e/test_login_in_browser.py',
        'docsrc/login.md',
    ],
}
# what is left out only when every one of these answers was given
# (the proxy that cuts and stalls links is for the PostgreSQL and Redis tests)
PRUNED_TOGETHER = [
    ((('database', 'none'), ('broker', 'memory')), ['tests/tcp_proxy.py']),
    ((('database', 'sqlite'), ('broker', 'memory')), ['tests/tcp_proxy.py']),
]


def read_answers() -> Answers:
    """ the answers given at the prompts, as a dict """
    answers: Answers = json.loads(r'''{{ cookiecutter | tojson }}''')
    return answers


def unwanted(answers: Answers) -> list[str]:
    """ the paths the answers leave out, with {package} for the package's folder """
    given = [((key, value),) for key, value in PRUNED]
    rules = [*zip(given, PRUNED.values()), *PRUNED_TOGETHER]
    return [
        path
        for together, paths in rules
        if all(answers.get(key) == value for key, value in together)
        for path in paths
    ]


def prune(project: Path, answers: Answers) -> None:
    """ remove the files of the options that were not chosen """
    for path in unwanted(answers):
        target = project / path.format(package=answers['package_name'])
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def keep_license(project: Path, chosen: str) -> None:
    """ move the chosen licence text to LICENSE and drop the others """
    licenses = project / LICENSES_DIR
    (licenses / chosen).replace(project / 'LICENSE')
    shutil.rmtree(licenses)


def write_env(project: Path) -> None:
    """ write a git-ignored .env holding a fresh random cookie secret """
    env = project / '.env'
    env.write_text(f'COOKIE_SECRET={secrets.token_urlsafe(32)}\n', encoding='utf-8')
    env.chmod(0o600)


def public_answers(answers: Answers) -> Answers:
    """ the answers worth keeping for a later update of the project """
    kept = {
        key: value
        for key, value in answers.items()
        if not key.startswith('_') or key == '_template'
    }
    return dict(sorted(kept.items()))


def write_answers(project: Path, answers: Answers) -> None:
    """ record the answers in .cookiecutter.json, in the form of cookiecutter's
    replay files: `cookiecutter --replay-file .cookiecutter.json TEMPLATE`
    bakes the same project again """
    replay = {'cookiecutter': public_answers(answers)}
    text = json.dumps(replay, indent=2, ensure_ascii=False)
    (project / '.cookiecutter.json').write_text(text + '\n', encoding='utf-8')


def next_steps(answers: Answers) -> str:
    """ the commands a user runs next, as text """
    # with login nobody gets in until an account exists
    accounts = ['    inv account-add you@example.com'] * (
        answers.get('auth') == 'password'
    )
    return '\n'.join(
        [
            f'Baked {answers["project_name"]} in {answers["project_slug"]}/. Next:',
            f'    cd {answers["project_slug"]}',
            '    make setup',
            '    . venv/bin/activate',
            *accounts,
            '    inv server',
            f'and open http://127.0.0.1:{answers["port"]}/',
        ]
    )


def main(project: str | Path | None = None) -> None:
    """ finish the project in the current folder """
    project = Path(project or '.').resolve()
    answers = read_answers()
    prune(project, answers)
    keep_license(project, answers['license'])
    write_env(project)
    write_answers(project, answers)
    print(next_steps(answers))


if __name__ == '__main__':
    main()
