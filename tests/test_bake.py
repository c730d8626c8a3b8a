""" Fast: bake with various answers and look at what was written.

Tests that only look use `baked`, which bakes each set of answers once per
session: every combination of COMBINATIONS is baked once, however many tests
look at it.
"""
import ast
import datetime
import itertools
import json
import re
import runpy
import sys
import tomllib

import pyflakes.checker
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from combinations import COMBINATIONS, DEFAULT, OPTIONS, REFUSED, combination_id
from conftest import CONTEXT, TEMPLATE


def read_pruned(name='PRUNED'):
    """ PRUNED of hooks/post_gen_project.py, read as data (the hook is a Jinja
    template, but this assignment is a plain literal): (answer key, value) ->
    the paths it removes, with {package} for the package's folder; or
    PRUNED_TOGETHER: [(answers that must all be given, the paths)] """
    hook = ast.parse((TEMPLATE / 'hooks/post_gen_project.py').read_text('utf-8'))
    (value,) = [
        node.value
        for node in hook.body
        if isinstance(node, ast.Assign)
        and [getattr(target, 'id', None) for target in node.targets] == [name]
    ]
    return ast.literal_eval(value)


PRUNED = read_pruned()
PRUNED_TOGETHER = read_pruned('PRUNED_TOGETHER')
# a leftover Jinja variable, not the name of the answers file .cookiecutter.json
LEFTOVER_VARIABLE = re.compile(r'(?<![.\w])cookiecutter\.\w')
# what the pre-commit hooks of a baked project leave as written: the built client
BUILT = re.compile(r'[^/]+/static/assets/')

EXPECTED_FILES = [
    '.cookiecutter.json',
    '.dockerignore',
    '.editorconfig',
    '.env',
    '.gitattributes',
    '.github/dependabot.yml',
    '.github/workflows/ci.yml',
    '.gitignore',
    'Dockerfile',
    'LICENSE',
    'MANIFEST.in',
    'Makefile',
    'README.md',
    'chat/__init__.py',
    'chat/chat_part.py',
    'chat/store/database.py',
    'chat/environment.py',
    'chat/store/group_commit.py',
    'chat/history.py',
    'chat/store/part.py',
    'chat/hub.py',
    'chat/main.py',
    'chat/store/migrate.py',
    'chat/store/migrations/env.py',
    'chat/store/migrations/versions/0001_messages.py',
    'chat/part.py',
    'chat/parts.py',
    'chat/protocol.py',
    'chat/session.py',
    'chat/store/sqlite.py',
    'chat/static/index.html',
    'chat/store/messages.py',
    'chat/store/tables.py',
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
    'docsrc/_static/favicon.svg',
    'docsrc/_static/logo.css',
    'docsrc/conf.py',
    'docsrc/index.md',
    'pyproject.toml',
    'requirements.txt',
    'setup.cfg',
    'tasks.py',
    'tests/conftest.py',
    'tests/fixtures.py',
    'tests/store/fixtures.py',
    'tests/store/sqlite_fixtures.py',
    'tests/e2e/conftest.py',
    'tests/e2e/fixtures.py',
    'tests/test_packaging.py',
    'tests/test_websocket.py',
    'tests/waiting.py',
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
        'formatter',
        'port',
        'license',
        'database',
        'auth',
        'broker',
    ]
    assert set(CONTEXT['__prompts__']) == set(prompts)


def test_default_bake_has_the_expected_files(baked):
    """ the default project holds every piece, and nothing pruned """
    project = baked()
    assert project.path.name == 'chat'
    for name in EXPECTED_FILES:
        assert project.has_file(name), name
    assert not (project.path / 'licenses').exists()
    assert any(
        path.suffix == '.js' for path in (project.path / 'chat/static/assets').iterdir()
    )


def problems_in_files(project):
    """ what is wrong with the baked files, walking the whole tree: Jinja left in a
    rendered file, Python that does not parse or that pyflakes faults (an unused
    import or name, an undefined one), TOML, YAML or JSON that does not parse;
    white space at the end of a line or no newline at the end, which the baked
    pre-commit hooks would fix (the built client aside) """
    found = []
    for path in project.files():
        try:
            text = project.read(path)
        except UnicodeDecodeError:
            continue  # binary: copied as it is
        if not BUILT.match(str(path)) and text:
            if not text.endswith('\n') or re.search(r'[ \t]$', text, re.MULTILINE):
                found.append(f'{path}: trailing white space or no final newline')
        if not project.is_copied_without_render(path):
            if '{{' in text or '{%' in text or LEFTOVER_VARIABLE.search(text):
                found.append(f'{path}: Jinja left')
        try:
            if path.suffix == '.py':
                tree = ast.parse(text, filename=str(path))
                found += map(
                    str, pyflakes.checker.Checker(tree, filename=str(path)).messages
                )
            elif path.suffix == '.toml':
                tomllib.loads(text)
            elif path.suffix in ('.yml', '.yaml'):
                list(yaml.safe_load_all(text))
            elif path.suffix == '.json':
                json.loads(text)
        except (SyntaxError, ValueError, yaml.YAMLError) as error:
            found.append(f'{path}: {error}')
    return found


def pruned_paths(context, chosen=True):
    """ the paths PRUNED removes for the answers in context (chosen), or for the
    other choices of the same options (not chosen) """
    return {
        path.format(package=context['package_name'])
        for (key, value), paths in PRUNED.items()
        if (context[key] == value) == chosen
        for path in paths
    }


def pruned_together(context):
    """ the paths PRUNED_TOGETHER removes for the answers in context (first),
    and those it keeps (second) """
    gone, kept = set(), set()
    for together, paths in PRUNED_TOGETHER:
        chosen = all(context[key] == value for key, value in together)
        (gone if chosen else kept).update(
            path.format(package=context['package_name']) for path in paths
        )
    # a path of several rules goes when any of them applies
    return gone, kept - gone


def is_within(path, folders):
    """ is path one of folders, or inside one? """
    return any(path == folder or path.startswith(f'{folder}/') for folder in folders)


def test_the_combinations_are_every_choice_once():
    """ COMBINATIONS and REFUSED together: each choice of cookiecutter.json once """
    every = [
        dict(zip(OPTIONS, values))
        for values in itertools.product(*(CONTEXT[key] for key in OPTIONS))
    ]
    listed = COMBINATIONS + [answers for answers, _ in REFUSED]
    assert sorted(map(combination_id, listed)) == sorted(map(combination_id, every))
    assert len(set(map(combination_id, listed))) == len(listed)
    assert DEFAULT == {key: CONTEXT[key][0] for key in OPTIONS}


def test_pruned_names_real_choices():
    """ each PRUNED entry is an answer one can give: a typo would prune nothing """
    together = [answer for answers, _ in PRUNED_TOGETHER for answer in answers]
    for key, value in [*PRUNED, *together]:
        assert value in CONTEXT.get(key, []), (key, value)


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_each_combination_bakes_clean_files(baked, answers):
    """ no Jinja left, Python parses and pyflakes passes it, data files parse """
    assert not problems_in_files(baked(**answers))


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_each_combination_prunes_what_it_did_not_choose(baked, answers):
    """ what PRUNED removes for these answers is gone; what it removes for the
    other choices of each option is there (unless these answers remove it too) """
    project = baked(**answers)
    gone_together, kept_together = pruned_together(project.context)
    gone = pruned_paths(project.context) | gone_together
    for path in sorted(gone):
        assert not (project.path / path).exists(), path
    for path in sorted(pruned_paths(project.context, chosen=False) | kept_together):
        if not is_within(path, gone):
            assert (project.path / path).exists(), path


@pytest.mark.parametrize(
    'answers, named', REFUSED, ids=[combination_id(a) for a, _ in REFUSED]
)
def test_each_refused_combination_names_the_answer(refuse, answers, named):
    """ the pre-gen hook turns it down with one sentence naming the answer """
    said = refuse(**answers)
    assert f'ERROR: {named} ' in said
    assert 'is not allowed' in said


def test_client_sources_keep_their_vue_braces(baked):
    """ Vue templates are copied, not rendered by cookiecutter """
    project = baked()
    assert '{{' in project.read('client/src/components/MessageList.vue')


def test_answers_are_recorded(baked):
    """ .cookiecutter.json holds the answers, for later updates """
    project = baked(port='9000')
    recorded = json.loads(project.read('.cookiecutter.json'))['cookiecutter']
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
def test_each_license_bakes_only_its_text(baked, license_name, words):
    """ the chosen licence becomes LICENSE; the others are gone """
    project = baked(license=license_name, author_name='Zoë Ångström')
    text = project.read('LICENSE')
    assert words in text
    if license_name != 'Apache-2.0':
        assert 'Zoë Ångström' in text
    assert not (project.path / 'licenses').exists()
    assert license_name.split('-')[0] in project.read('README.md')


@pytest.mark.parametrize('python_version', ['3.12', '3.11', '3.13'])
def test_python_version_sets_docker_and_ci(baked, python_version):
    """ the chosen Python is the Docker base image and the CI interpreter """
    formatter = 'ruff' if python_version == '3.13' else 'axblack'
    project = baked(python_version=python_version, formatter=formatter)
    assert project.read('Dockerfile').startswith('# ')
    assert f'FROM python:{python_version}-slim AS base' in project.read('Dockerfile')
    workflow = yaml.safe_load(project.read('.github/workflows/ci.yml'))
    steps = workflow['jobs']['check']['steps']
    versions = [step.get('with', {}).get('python-version') for step in steps]
    assert python_version in versions
    assert f'py-version = {python_version}' in project.read('setup.cfg')


def test_port_reaches_server_client_and_docker(baked):
    """ the chosen port is the server's default, the proxy target and the published port """
    project = baked(port='9000')
    assert 'default=9000' in project.read('chat/chat_part.py')
    assert 'ws://127.0.0.1:9000' in project.read('client/vite.config.js')
    assert 'EXPOSE 9000' in project.read('Dockerfile')
    compose = yaml.safe_load(project.read('docker-compose.yml'))
    assert compose['services']['web']['ports'] == ['9000:9000']


def test_dependabot_watches_every_kind_of_pin(baked):
    """ .github/dependabot.yml is valid by GitHub's schema (check-jsonschema's own
    copy: no network) and watches pip, the client's npm, the actions and docker """
    project = baked()
    name = '.github/dependabot.yml'
    project.run(f'check-jsonschema --builtin-schema vendor.dependabot {name}')
    updates = yaml.safe_load(project.read(name))['updates']
    watched = {update['package-ecosystem']: update['directory'] for update in updates}
    assert watched == {
        'pip': '/',
        'npm': '/client',
        'github-actions': '/',
        'docker': '/',
        'docker-compose': '/',
    }


def test_line_ends_stay_lf_where_crlf_breaks(baked):
    """ .gitattributes: text=auto, and LF always for scripts, make and docker """
    rules = [
        line.split()
        for line in baked().read('.gitattributes').splitlines()
        if line and not line.startswith('#')
    ]
    assert rules[0] == ['*', 'text=auto']
    lf = {rule[0] for rule in rules if 'eol=lf' in rule}
    assert lf == {'*.sh', 'Makefile', 'Dockerfile', 'docker-compose.yml'}


def test_only_the_container_listens_beyond_this_machine(baked):
    """ the server and inv server default to 127.0.0.1; Docker passes 0.0.0.0 """
    project = baked()
    assert "default='127.0.0.1'" in project.read('chat/chat_part.py')
    assert "address: str = '127.0.0.1'" in project.read('tasks.py')
    assert '"--address=0.0.0.0"]' in project.read('Dockerfile')
    compose = yaml.safe_load(project.read('docker-compose.yml'))
    assert '--address=0.0.0.0' in compose['services']['web']['command']


def test_awkward_answers_bake_valid_files(baked):
    """ quotes, unicode and backslashes stay data in Python, TOML, YAML and JSON """
    project = baked(**AWKWARD)
    assert project.path.name == 'o-connor-s-chat-cafe'
    package = project.path / 'o_connor_s_chat_cafe'
    assert (package / 'main.py').is_file()
    assert not problems_in_files(project)
    meta = tomllib.loads(project.read('pyproject.toml'))
    assert meta['tool']['chat-template']['title'] == AWKWARD['project_name']
    assert meta['project']['description'] == AWKWARD['description']
    # setuptools cannot write an address whose local part is not ASCII
    assert meta['project']['authors'] == [{'name': AWKWARD['author_name']}]
    title = '<title>O&#39;Connor&#39;s &#34;Chat&#34; Café</title>'
    assert title in project.read('o_connor_s_chat_cafe/static/index.html')
    assert title in project.read('client/index.html')


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_readme_and_requirements_follow_the_database(baked, answers):
    """ the README documents the chosen database, and only the needed drivers are pinned """
    project, database = baked(**answers), answers['database']
    readme, requirements = project.read('README.md'), project.read('requirements.txt')
    assert ('inv db-upgrade' in readme) == (database != 'none')
    assert ('PostgreSQL' in readme) == (database == 'postgresql')
    assert ('sqlalchemy==' in requirements) == (database != 'none')
    assert ('aiosqlite==' in requirements) == (database == 'sqlite')
    assert ('asyncpg==' in requirements) == (database == 'postgresql')
    compose = yaml.safe_load(project.read('docker-compose.yml'))
    assert ('db' in compose['services']) == (database == 'postgresql')


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_redis_brings_its_service_and_pin(baked, answers):
    """ the redis broker: its pin, its compose service, its docs; none of it otherwise """
    project, redis = baked(**answers), answers['broker'] == 'redis'
    assert ('redis==' in project.read('requirements.txt')) == redis
    compose = yaml.safe_load(project.read('docker-compose.yml'))
    assert ('redis' in compose['services']) == redis
    assert ('--processes' in project.read('README.md')) == redis
    assert project.has_file('chat/broker.py')


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_every_bake_is_tested_behind_nginx(baked, answers):
    """ the proxy option, its tests and docs in every bake; CI installs nginx """
    project = baked(**answers)
    assert project.has_file('chat/proxy.py')
    assert project.has_file('tests/test_behind_proxy.py')
    assert project.has_file('tests/login/test_behind_proxy.py') == (
        answers['auth'] == 'password'
    )
    assert '## Behind a reverse proxy' in project.read('README.md')
    assert 'proxy_set_header X-Forwarded-Proto' in project.read('docsrc/deployment.md')
    workflow = yaml.safe_load(project.read('.github/workflows/ci.yml'))
    runs = [step.get('run', '') for step in workflow['jobs']['check']['steps']]
    assert any('install -y nginx openssl' in run for run in runs)


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_readme_documents_login_only_when_chosen(baked, answers):
    """ the login section and the user tasks appear only with auth=password """
    project, auth = baked(**answers), answers['auth']
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
    ],
)
def test_bad_answers_are_refused_before_anything_is_written(refuse, answers, named):
    """ one clear sentence naming the answer, and an empty output folder """
    said = refuse(**answers)
    assert f'ERROR: {named} ' in said
    assert 'is not allowed' in said


def pins(text):
    """ the name==version lines of a requirements file (an environment marker
    after ';', the line's continuation and its --hash lines left out) """
    return {
        line.split('==')[0].lower(): line.split(';')[0].split('==')[1].split()[0]
        for line in text.splitlines()
        if '==' in line and not line.startswith(('#', ' '))
    }


@pytest.mark.parametrize('formatter', ['axblack', 'ruff'])
@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_the_template_tests_with_the_baked_pins(baked, answers, formatter):
    """ requirements-dev.txt holds every pin a baked project asks for, same versions """
    project = baked(**answers, formatter=formatter)
    template = pins((TEMPLATE / 'requirements-dev.txt').read_text(encoding='utf-8'))
    asked = pins(project.read('requirements.txt')) | pins(project.read('dev.txt'))
    assert {name: template.get(name) for name in asked} == asked


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_every_pin_carries_its_hashes(baked, answers):
    """ requirements.txt and dev.txt are `inv lock`'s: every package pinned with its
    hashes, the server's at the same versions in both; make setup (uv) and Docker
    install them with --require-hashes """
    project = baked(**answers)
    header = '# This file was autogenerated by uv via the following command:\n#    inv lock\n'
    for name in ('requirements.txt', 'dev.txt'):
        text = project.read(name)
        assert text.startswith(header), name
        entries = re.split(r'\n(?! )', text[len(header) :].strip())
        assert entries and all(
            re.match(r'^[a-z0-9-]+==\S+ ', entry) and '--hash=sha256:' in entry
            for entry in entries
        ), name
    served, dev = pins(project.read('requirements.txt')), pins(project.read('dev.txt'))
    assert {name: dev.get(name) for name in served} == served
    assert '-c requirements.txt' in project.read('dev.in').splitlines()
    assert 'mypy' in dev and 'uv' in dev
    assert '--require-hashes' in project.read('Dockerfile')
    makefile = project.read('Makefile')
    assert (
        'venv/bin/uv pip install -q --python venv/bin/python --require-hashes -r dev.txt'
        in makefile
    )
    tasks = project.read('tasks.py')
    assert 'def lock(ctx: Context, upgrade: bool = False) -> None:' in tasks


def dependency_ranges(meta):
    """ the dependencies of a parsed pyproject.toml: {name: specifier} """
    return {
        canonicalize_name(requirement.name): requirement.specifier
        for requirement in map(Requirement, meta['project']['dependencies'])
    }


@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_pyproject_builds_the_package_with_its_dependencies(baked, answers):
    """ setuptools (from a minimum version) builds the package alone, with a
    console script that runs main(); the dependencies are those requirements.txt
    pins for the options, each a range that holds its pin """
    project = baked(**answers)
    meta = tomllib.loads(project.read('pyproject.toml'))
    assert meta['build-system']['build-backend'] == 'setuptools.build_meta'
    (setuptools,) = map(Requirement, meta['build-system']['requires'])
    assert setuptools.name == 'setuptools' and '>=' in str(setuptools.specifier)
    assert meta['project']['scripts'] == {'chat': 'chat.main:main'}
    assert meta['tool']['setuptools']['packages']['find']['include'] == [
        'chat',
        'chat.*',
    ]
    ranges = dependency_ranges(meta)
    pinned = {
        canonicalize_name(name): version
        for name, version in pins(project.read('requirements.txt')).items()
    }
    # requirements.txt is compiled from these ranges: it pins each, and what they need
    assert set(ranges) <= set(pinned)
    for name, specifier in ranges.items():
        assert specifier.contains(pinned[name]), (name, pinned[name], specifier)
    assert ('alembic' in ranges) == (answers['database'] != 'none')
    assert ('aiosqlite' in ranges) == (answers['database'] == 'sqlite')
    assert ('asyncpg' in ranges) == (answers['database'] == 'postgresql')
    assert ('redis' in ranges) == (answers['broker'] == 'redis')


def test_the_console_script_is_named_after_the_project(baked):
    """ the command is the project's slug; it runs the package's main() """
    project = baked(project_name='Team Talk')
    meta = tomllib.loads(project.read('pyproject.toml'))
    assert meta['project']['name'] == 'team-talk'
    assert meta['project']['scripts'] == {'team-talk': 'team_talk.main:main'}
    assert meta['tool']['setuptools']['package-data'] == {
        'team_talk': ['static/**/*', 'store/migrations/script.py.mako']
    }


def test_pyproject_holds_free_text_as_its_characters(baked):
    """ quotes and backslashes escaped, every other character as it is: no \\u """
    project = baked(**AWKWARD)
    text = project.read('pyproject.toml')
    assert '\\u' not in text
    for key in ('project_name', 'description', 'author_name'):
        escaped = AWKWARD[key].replace('\\', '\\\\').replace('"', '\\"')
        assert f'"{escaped}"' in text, key
    assert 'name = "Zoë Ångström-Ñúñez 王"' in text


@pytest.mark.parametrize(
    'email, kept', [('zoe@exämple.com', True), ('zoë@example.com', False)]
)
def test_pyproject_keeps_an_address_the_metadata_can_hold(baked, email, kept):
    """ an address whose local part is not ASCII cannot be written into the
    package's metadata (setuptools fails): it is left out, and a comment says why """
    project = baked(author_email=email)
    meta = tomllib.loads(project.read('pyproject.toml'))
    (author,) = meta['project']['authors']
    assert author.get('email') == (email if kept else None)
    assert ('the address is left out' in project.read('pyproject.toml')) != kept


def test_pyproject_escapes_control_characters(bake):
    """ an answer holding control characters still parses, to the same text """
    description = 'tab\there, ' + ''.join(map(chr, [*range(32), 127])) + ' end'
    project = bake(description=description)
    meta = tomllib.loads(project.read('pyproject.toml'))
    # cookiecutter renders each answer as a template: Jinja made \r a \n
    assert meta['project']['description'] == description.replace('\r', '\n')


def test_docs_show_the_year_the_author_and_the_chats_icon(baked, monkeypatch):
    """ the footer's copyright: the year of baking and the author; the logo is
    the chat's favicon; the theme is furo """
    project = baked(**AWKWARD)
    monkeypatch.setattr(sys, 'path', list(sys.path))  # conf.py adds the project
    conf = runpy.run_path(str(project.path / 'docsrc/conf.py'))
    year = datetime.datetime.now(datetime.timezone.utc).year
    assert conf['copyright'] == f'{year}, {AWKWARD["author_name"]}'
    assert conf['html_theme'] == 'furo'
    logo = project.path / 'docsrc' / conf['html_logo']
    favicon = project.path / 'client/public/favicon.svg'
    assert logo.read_bytes() == favicon.read_bytes()
    for name in conf['html_css_files']:
        assert (project.path / 'docsrc/_static' / name).is_file(), name


@pytest.mark.parametrize('name', ['README.md', 'docsrc/usage.md'])
def test_the_packaging_tasks_are_documented(baked, name):
    """ inv bump and inv dist are in the tables of tasks, and in tasks.py """
    project = baked()
    rows = [line for line in project.read(name).splitlines() if line.startswith('|')]
    assert any(row.startswith('| `inv bump') for row in rows)
    assert any(row.startswith('| `inv dist`') for row in rows)
    tasks = project.read('tasks.py')
    assert 'def bump(' in tasks and 'def dist(' in tasks


FORMATTERS = {
    # the tool of the formatter, the pins it brings, its pyproject.toml table
    'axblack': ('black', {'axblack', 'isort'}, 'black'),
    'ruff': ('ruff', {'ruff'}, 'ruff'),
}


@pytest.mark.parametrize('formatter', sorted(FORMATTERS))
def test_the_formatter_brings_its_pins_config_and_tasks(baked, formatter):
    """ dev.in asks for the chosen formatter's tools and no other's (dev.txt pins
    them); pyproject.toml (and setup.cfg for isort) configures it; inv lint and inv
    format run it; the README and the docs name it """
    project = baked(formatter=formatter)
    command, pinned, table = FORMATTERS[formatter]
    others = set().union(*(tools for _, tools, _ in FORMATTERS.values())) - pinned
    asked = {
        re.split(r'[=<>!~;\s]', line, maxsplit=1)[0].lower()
        for line in project.read('dev.in').splitlines()
        if line and not line.startswith(('#', '-'))
    }
    assert pinned <= asked and not others & asked
    assert pinned <= set(pins(project.read('dev.txt')))
    meta = tomllib.loads(project.read('pyproject.toml'))
    assert set(meta['tool']) & {'black', 'ruff'} == {table}
    assert meta['tool'][table]['line-length'] == 88
    assert ('[isort]' in project.read('setup.cfg')) == (formatter == 'axblack')
    tasks = project.read('tasks.py')
    assert f"STYLE_CHECKS = ['{command} " in tasks
    for name in ('README.md', 'docsrc/usage.md'):
        text = project.read(name)
        assert ('axblack' in text) == (formatter == 'axblack'), name
        assert ('ruff' in text) == (formatter == 'ruff'), name
        assert '`inv format [--check]`' in text, name
    workflow = project.read('.github/workflows/ci.yml')
    assert 'black' not in workflow and 'isort' not in workflow


def test_ruff_keeps_docstrings_double_and_the_rest_single(baked):
    """ ruff's format settings: single quotes, the line of 88, the lint rules
    beside pylint's, isort's rules in ruff's own I """
    meta = tomllib.loads(baked(formatter='ruff').read('pyproject.toml'))
    ruff = meta['tool']['ruff']
    assert ruff['format']['quote-style'] == 'single'
    assert {'I', 'UP', 'ASYNC', 'B', 'RUF006'} <= set(ruff['lint']['select'])
    assert ruff['lint']['isort']['known-first-party'] == ['chat']


# the checks of the baked Python code each formatter makes (axblack does not
# install on Python 3.13: tox's py313 leaves out what is marked axblack)
STYLE_CHECKS = {
    'ruff': ['ruff format --check .', 'ruff check .'],
    'axblack': [
        'black --check chat loadtest tests tasks.py docsrc/conf.py',
        'isort --check-only chat loadtest tests tasks.py',
    ],
}


@pytest.mark.parametrize(
    'formatter', [pytest.param('axblack', marks=pytest.mark.axblack), 'ruff']
)
@pytest.mark.parametrize('answers', COMBINATIONS, ids=combination_id)
def test_each_formatter_accepts_the_baked_code(baked, answers, formatter):
    """ the template's Python is written so that both formatters leave it as it
    is, and ruff's lint rules pass it: whichever is chosen, inv lint's style
    checks pass on every combination """
    project = baked(**answers, formatter=formatter)
    for command in STYLE_CHECKS[formatter]:
        project.run(command)  # the tools beside this Python first on PATH


def test_python_3_13_with_axblack_is_refused(refuse):
    """ axblack does not install on 3.13: the hook says to choose ruff """
    said = refuse(python_version='3.13')
    assert 'ERROR: python_version 3.13 needs formatter=ruff: ' in said
