""" Fast: bake with various answers and look at what was written. """
import ast
import json
import tomllib

import pytest
import yaml

from conftest import TEMPLATE

CONTEXT = json.loads((TEMPLATE / 'cookiecutter.json').read_text(encoding='utf-8'))

EXPECTED_FILES = [
    '.cookiecutter.json',
    '.dockerignore',
    '.env',
    '.github/workflows/ci.yml',
    '.gitignore',
    'Dockerfile',
    'LICENSE',
    'Makefile',
    'README.md',
    'chat/__init__.py',
    'chat/chat_part.py',
    'chat/database.py',
    'chat/environment.py',
    'chat/history.py',
    'chat/history_part.py',
    'chat/hub.py',
    'chat/main.py',
    'chat/migrate.py',
    'chat/migrations/env.py',
    'chat/migrations/versions/0001_messages.py',
    'chat/part.py',
    'chat/parts.py',
    'chat/protocol.py',
    'chat/session.py',
    'chat/sqlite.py',
    'chat/static/index.html',
    'chat/store.py',
    'chat/tables.py',
    'chat/websocket.py',
    'client/index.html',
    'client/package-lock.json',
    'client/package.json',
    'client/src/App.vue',
    'client/src/chat.js',
    'client/src/main.js',
    'client/vite.config.js',
    'client/eslint.config.js',
    'client/tests/chat.test.js',
    'dev.txt',
    'docker-compose.yml',
    'docsrc/conf.py',
    'docsrc/index.md',
    'pyproject.toml',
    'requirements.txt',
    'setup.cfg',
    'tasks.py',
    'tests/conftest.py',
    'tests/fixtures.py',
    'tests/database_fixtures.py',
    'tests/sqlite_fixtures.py',
    'tests/e2e/conftest.py',
    'tests/e2e/fixtures.py',
    'tests/test_websocket.py',
]

AWKWARD = {
    'project_name': 'O\'Connor\'s "Chat" Café',
    'author_name': 'Zoë Ångström-Ñúñez 王',
    'author_email': 'zoë@example.com',
    'description': 'Tea & "talk" \\ back-slashes, {braces} and émoji ☕',
}


def test_prompts_come_in_the_documented_order():
    """ the questions, in the order the README lists them """
    prompts = [key for key in CONTEXT if not key.startswith('_')]
    assert prompts == [
        'project_name',
        'project_slug',
        'package_name',
        'description',
        'author_name',
        'author_email',
        'version',
        'python_version',
        'port',
        'license',
        'database',
        'auth',
        'broker',
    ]
    assert set(CONTEXT['__prompts__']) == set(prompts)


def test_default_bake_has_the_expected_files(bake):
    """ the default project holds every piece, and nothing pruned """
    project = bake()
    assert project.path.name == 'chat'
    for name in EXPECTED_FILES:
        assert project.has_file(name), name
    assert not (project.path / 'licenses').exists()
    assert any(
        path.suffix == '.js' for path in (project.path / 'chat/static/assets').iterdir()
    )


def test_no_template_syntax_is_left(bake):
    """ every rendered text file is free of Jinja; copied files keep their own braces """
    project = bake(**AWKWARD)
    for name in project.files():
        try:
            text = project.read(name)
        except UnicodeDecodeError:
            continue
        assert 'cookiecutter.' not in text, name
        if not project.is_copied_without_render(name):
            assert '{{' not in text and '{%' not in text, name


def test_client_sources_keep_their_vue_braces(bake):
    """ Vue templates are copied, not rendered by cookiecutter """
    project = bake()
    assert '{{' in project.read('client/src/components/MessageList.vue')


def test_answers_are_recorded(bake):
    """ .cookiecutter.json holds the answers, for later updates """
    project = bake(port='9000')
    recorded = json.loads(project.read('.cookiecutter.json'))
    assert recorded['port'] == '9000'
    assert recorded['package_name'] == 'chat'
    assert '_output_dir' not in recorded


def test_env_is_secret_and_ignored(bake):
    """ a random cookie secret in .env, which git and docker ignore """
    first, second = bake(), bake()
    assert first.read('.env').startswith('COOKIE_SECRET=')
    assert first.read('.env') != second.read('.env')
    assert '.env' in first.read('.gitignore').splitlines()
    assert '.env' in first.read('.dockerignore').splitlines()


@pytest.mark.parametrize(
    'license_name, words',
    [
        ('MIT', 'Permission is hereby granted'),
        ('BSD-3-Clause', 'Neither the name of the copyright holder'),
        ('Apache-2.0', 'Apache License'),
        ('Proprietary', 'All rights reserved'),
    ],
)
def test_each_license_bakes_only_its_text(bake, license_name, words):
    """ the chosen licence becomes LICENSE; the others are gone """
    project = bake(license=license_name, author_name='Zoë Ångström')
    text = project.read('LICENSE')
    assert words in text
    if license_name != 'Apache-2.0':
        assert 'Zoë Ångström' in text
    assert not (project.path / 'licenses').exists()
    assert license_name.split('-')[0] in project.read('README.md')


@pytest.mark.parametrize('python_version', ['3.12', '3.11'])
def test_python_version_sets_docker_and_ci(bake, python_version):
    """ the chosen Python is the Docker base image and the CI interpreter """
    project = bake(python_version=python_version)
    assert project.read('Dockerfile').startswith('# ')
    assert f'FROM python:{python_version}-slim AS base' in project.read('Dockerfile')
    workflow = yaml.safe_load(project.read('.github/workflows/ci.yml'))
    steps = workflow['jobs']['check']['steps']
    assert {'python-version': python_version} in [step.get('with') for step in steps]
    assert f'py-version = {python_version}' in project.read('setup.cfg')


def test_port_reaches_server_client_and_docker(bake):
    """ the chosen port is the server's default, the proxy target and the published port """
    project = bake(port='9000')
    assert 'default=9000' in project.read('chat/chat_part.py')
    assert 'ws://localhost:9000' in project.read('client/vite.config.js')
    assert 'EXPOSE 9000' in project.read('Dockerfile')
    compose = yaml.safe_load(project.read('docker-compose.yml'))
    assert compose['services']['web']['ports'] == ['9000:9000']


def test_awkward_answers_bake_valid_files(bake):
    """ quotes, unicode and backslashes stay data in Python, TOML, YAML and JSON """
    project = bake(**AWKWARD)
    assert project.path.name == 'o-connor-s-chat-cafe'
    package = project.path / 'o_connor_s_chat_cafe'
    assert (package / 'main.py').is_file()
    for name in project.files():
        if name.suffix == '.py':
            ast.parse(project.read(name), filename=str(name))
    meta = tomllib.loads(project.read('pyproject.toml'))
    assert meta['tool']['chat-template']['title'] == AWKWARD['project_name']
    assert meta['project']['description'] == AWKWARD['description']
    assert meta['project']['authors'] == [
        {'name': AWKWARD['author_name'], 'email': AWKWARD['author_email']}
    ]
    for name in ('docker-compose.yml', '.github/workflows/ci.yml'):
        assert yaml.safe_load(project.read(name))
    for name in (
        '.cookiecutter.json',
        'client/package.json',
        'client/package-lock.json',
    ):
        assert json.loads(project.read(name))
    title = '<title>O&#39;Connor&#39;s &#34;Chat&#34; Café</title>'
    assert title in project.read('o_connor_s_chat_cafe/static/index.html')
    assert title in project.read('client/index.html')


DATABASE_FILES = [
    'chat/database.py',
    'chat/history_part.py',
    'chat/store.py',
    'chat/tables.py',
    'chat/migrate.py',
    'chat/migrations/env.py',
    'tests/test_store.py',
    'tests/test_history.py',
    'docsrc/database.md',
]
LOGIN_FILES = [
    'chat/auth.py',
    'chat/accounts.py',
    'chat/passwords.py',
    'chat/manage_accounts.py',
    'chat/login_part.py',
    'chat/templates/login.html',
    'chat/migrations/versions/0002_users.py',
    'chat/migrations/versions/0003_accounts.py',
    'tests/test_auth.py',
    'tests/test_manage_accounts.py',
    'docsrc/login.md',
]


@pytest.mark.parametrize(
    'database, auth, present, absent',
    [
        ('none', 'none', [], DATABASE_FILES + LOGIN_FILES + ['tests/pg_server.py']),
        ('sqlite', 'none', DATABASE_FILES, LOGIN_FILES + ['tests/pg_server.py']),
        ('postgresql', 'none', DATABASE_FILES + ['tests/pg_server.py'], LOGIN_FILES),
        ('sqlite', 'password', DATABASE_FILES + LOGIN_FILES, ['tests/pg_server.py']),
        ('postgresql', 'password', DATABASE_FILES + LOGIN_FILES, []),
    ],
)
def test_options_keep_their_files_and_prune_the_rest(
    bake, database, auth, present, absent
):
    """ each option brings its files; what was not chosen is not left behind """
    project = bake(database=database, auth=auth)
    for name in present:
        assert project.has_file(name), name
    for name in absent:
        assert not (project.path / name).exists(), name


@pytest.mark.parametrize('database', ['none', 'sqlite', 'postgresql'])
def test_readme_and_requirements_follow_the_database(bake, database):
    """ the README documents the chosen database, and only the needed drivers are pinned """
    project = bake(database=database)
    readme, requirements = project.read('README.md'), project.read('requirements.txt')
    assert ('inv db-upgrade' in readme) == (database != 'none')
    assert ('PostgreSQL' in readme) == (database == 'postgresql')
    assert ('SQLAlchemy==' in requirements) == (database != 'none')
    assert ('aiosqlite==' in requirements) == (database == 'sqlite')
    assert ('asyncpg==' in requirements) == (database == 'postgresql')
    compose = yaml.safe_load(project.read('docker-compose.yml'))
    assert ('db' in compose['services']) == (database == 'postgresql')


@pytest.mark.parametrize('broker', ['memory', 'redis'])
def test_redis_brings_its_service_pin_and_tests(bake, broker):
    """ the redis broker: its pin, its compose service, its tests; none of it otherwise """
    project = bake(broker=broker)
    redis = broker == 'redis'
    assert ('redis==' in project.read('requirements.txt')) == redis
    compose = yaml.safe_load(project.read('docker-compose.yml'))
    assert ('redis' in compose['services']) == redis
    assert project.has_file('tests/test_broker.py') == redis
    assert project.has_file('chat/redis_broker.py') == redis
    assert project.has_file('tests/redis_server.py') == redis
    assert ('--processes' in project.read('README.md')) == redis
    assert project.has_file('chat/broker.py')


@pytest.mark.parametrize('auth', ['none', 'password'])
def test_readme_documents_login_only_when_chosen(bake, auth):
    """ the login section and the user tasks appear only with auth=password """
    project = bake(auth=auth)
    readme, tasks = project.read('README.md'), project.read('tasks.py')
    assert ('inv account-add' in readme) == (auth == 'password')
    assert ('def account_add' in tasks) == (auth == 'password')
    assert ('## Login' in readme) == (auth == 'password')


@pytest.mark.parametrize(
    'answers, named',
    [
        ({'package_name': 'class'}, 'package_name'),
        ({'package_name': 'my-chat'}, 'package_name'),
        ({'package_name': '9lives'}, 'package_name'),
        ({'project_name': 'Class'}, 'package_name'),
        ({'project_slug': 'my chat'}, 'project_slug'),
        ({'project_slug': 'chat!'}, 'project_slug'),
        ({'port': '0'}, 'port'),
        ({'port': '70000'}, 'port'),
        ({'port': 'eighty'}, 'port'),
        ({'author_email': 'nobody'}, 'author_email'),
        ({'version': 'first'}, 'version'),
        ({'database': 'none', 'auth': 'password'}, 'auth'),
    ],
)
def test_bad_answers_are_refused_before_anything_is_written(refuse, answers, named):
    """ one clear sentence naming the answer, and an empty output folder """
    said = refuse(**answers)
    assert f'ERROR: {named} ' in said
    assert 'is not allowed' in said


def pins(text):
    """ the name==version lines of a requirements file """
    return {
        line.split('==')[0].lower(): line.split('==')[1]
        for line in text.splitlines()
        if '==' in line and not line.startswith('#')
    }


@pytest.mark.parametrize('database', ['none', 'sqlite', 'postgresql'])
def test_the_template_tests_with_the_baked_pins(bake, database):
    """ requirements-dev.txt holds every pin a baked project asks for, same versions """
    project = bake(database=database)
    template = pins((TEMPLATE / 'requirements-dev.txt').read_text(encoding='utf-8'))
    baked = pins(project.read('requirements.txt')) | pins(project.read('dev.txt'))
    assert {name: template.get(name) for name in baked} == baked
