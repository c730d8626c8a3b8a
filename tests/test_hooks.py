""" The hooks' functions, called directly (cookiecutter is not involved). """
import importlib.util
import json
import shlex
import stat

import pytest

from conftest import TEMPLATE


def load_hook(name):
    """ import hooks/<name>.py as a module """
    spec = importlib.util.spec_from_file_location(
        name, TEMPLATE / 'hooks' / f'{name}.py'
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load_hook('pre_gen_project')
post_gen = load_hook('post_gen_project')

GOOD = {
    'project_slug': 'o-connor-s-chat-cafe',
    'package_name': 'o_connor_s_chat_cafe',
    'port': '8080',
    'author_email': 'zoë@example.com',
    'version': '0.1.0',
}


def test_good_answers_pass():
    """ a full set of good answers has no problem """
    assert not pre_gen.problems(GOOD)


@pytest.mark.parametrize(
    'key, value',
    [
        ('package_name', 'class'),
        ('package_name', 'my-chat'),
        ('package_name', '9lives'),
        ('package_name', 'Chat'),
        ('package_name', ''),
        ('package_name', 'json'),
        ('package_name', 'tests'),
        ('project_slug', 'my chat'),
        ('project_slug', 'chat!'),
        ('project_slug', '-chat'),
        ('project_slug', ''),
        ('port', '0'),
        ('port', '65536'),
        ('port', 'http'),
        ('port', '-1'),
        ('author_email', 'nobody'),
        ('author_email', 'a b@example.com'),
        ('version', 'one'),
        ('version', '1.0"'),
    ],
)
def test_each_bad_answer_is_one_sentence_naming_it(key, value):
    """ the problem names the answer and says what is allowed, in one sentence """
    (message,) = pre_gen.problems({**GOOD, key: value})
    assert message.startswith(f'{key} {value!r} is not allowed: ')
    assert message.endswith('.')
    assert message.count('. ') == 0


@pytest.mark.parametrize(
    'key, value',
    [
        ('package_name', 'match'),
        ('package_name', 'chat_2'),
        ('project_slug', 'chat_room-2'),
        ('port', '1'),
        ('port', '65535'),
        ('version', '2.0rc1'),
        ('version', '1.0.post1'),
    ],
)
def test_edge_answers_are_accepted(key, value):
    """ soft keywords, limits and pre-releases are fine """
    assert not pre_gen.problems({**GOOD, key: value})


def test_every_pruned_path_is_in_the_template():
    """ a misspelt path would silently leave files behind """
    project = TEMPLATE / '{{cookiecutter.project_slug}}'
    together = [paths for _, paths in post_gen.PRUNED_TOGETHER]
    for paths in [*post_gen.PRUNED.values(), *together]:
        for path in paths:
            assert (
                project / path.format(package='{{cookiecutter.package_name}}')
            ).exists(), path


def test_a_file_of_several_options_goes_only_with_all_of_them():
    """ the TCP proxy of the tests serves the PostgreSQL and Redis tests alike """
    memory = {'broker': 'memory', 'auth': 'none'}
    assert 'tests/tcp_proxy.py' in post_gen.unwanted({**memory, 'database': 'none'})
    assert 'tests/tcp_proxy.py' in post_gen.unwanted({**memory, 'database': 'sqlite'})
    assert 'tests/tcp_proxy.py' not in post_gen.unwanted(
        {**memory, 'database': 'postgresql'}
    )
    assert 'tests/tcp_proxy.py' not in post_gen.unwanted(
        {'broker': 'redis', 'auth': 'none', 'database': 'none'}
    )


def test_prune_removes_what_was_not_chosen(tmp_path):
    """ files and folders of an unchosen option go; the rest stays """
    package = tmp_path / 'chat'
    (package / 'store' / 'migrations').mkdir(parents=True)
    (package / 'store' / 'database.py').write_text('', encoding='utf-8')
    (package / 'main.py').write_text('', encoding='utf-8')
    post_gen.prune(
        tmp_path, {'database': 'none', 'auth': 'none', 'package_name': 'chat'}
    )
    assert sorted(path.name for path in package.iterdir()) == ['main.py']


def test_login_without_a_database_is_refused():
    """ auth=password needs a database, said in one sentence """
    message = pre_gen.check_combination({'auth': 'password', 'database': 'none'})
    assert message.startswith("auth 'password' is not allowed with database 'none': ")
    assert message.count('. ') == 0
    assert pre_gen.check_combination({'auth': 'password', 'database': 'sqlite'}) is None


def test_python_3_13_with_axblack_is_refused():
    """ axblack does not install on 3.13: one sentence that says to choose ruff """
    answers = {**GOOD, 'python_version': '3.13', 'formatter': 'axblack'}
    (message,) = pre_gen.problems(answers)
    assert message.startswith('python_version 3.13 needs formatter=ruff: ')
    assert message.endswith('.') and message.count('. ') == 0
    assert not pre_gen.problems({**answers, 'formatter': 'ruff'})
    assert not pre_gen.problems({**answers, 'python_version': '3.12'})


def test_every_problem_is_listed_with_the_formatters():
    """ the formatter's problem joins the others, each one sentence """
    answers = {**GOOD, 'port': '0', 'python_version': '3.13', 'formatter': 'axblack'}
    found = pre_gen.problems({**answers, 'auth': 'password', 'database': 'none'})
    assert [message.split()[0] for message in found] == [
        'port',
        'auth',
        'python_version',
    ]


# what cookiecutter adds to the answers before the hooks run
COOKIECUTTER_KEYS = {
    '_template': 'gh:org/chat-template',
    '_output_dir': '/home/zoë/src',
    '_repo_dir': '/home/zoë/.cookiecutters/chat-template',
    '_checkout': None,
}


@pytest.fixture(name='replay_dir')
def fixture_replay_dir(tmp_path, monkeypatch):
    """ a user config (read through COOKIECUTTER_CONFIG) whose replay_dir is here """
    config = tmp_path / 'config.yaml'
    config.write_text(f'replay_dir: {tmp_path / "replay"}\n', encoding='utf-8')
    monkeypatch.setenv('COOKIECUTTER_CONFIG', str(config))
    return tmp_path / 'replay'


def keep_for_replay(replay_dir, answers):
    """ write the replay file as cookiecutter does before the hooks run """
    replay_dir.mkdir(exist_ok=True)
    context = {'cookiecutter': answers, '_cookiecutter': given_answers(answers)}
    path = replay_dir / 'chat-template.json'
    path.write_text(json.dumps(context), encoding='utf-8')
    return path


def given_answers(answers):
    """ the answers without cookiecutter's private keys """
    return {key: value for key, value in answers.items() if not key.startswith('_')}


@pytest.mark.usefixtures('replay_dir')
def test_every_problem_is_reported_at_once():
    """ three bad answers, three sentences, each on its own line """
    answers = {**GOOD, 'port': '0', 'version': 'one', 'auth': 'password'}
    found = pre_gen.problems({**answers, 'database': 'none'})
    assert [message.split()[0] for message in found] == ['port', 'version', 'auth']
    text = pre_gen.refusal(found, {**COOKIECUTTER_KEYS, **answers})
    assert [line for line in text.splitlines() if line.startswith('ERROR: ')] == [
        f'ERROR: {message}' for message in found
    ]


def test_the_replay_file_of_these_answers_is_found(replay_dir):
    """ named after the template's folder, in the user config's replay_dir """
    answers = {**GOOD, **COOKIECUTTER_KEYS}
    path = keep_for_replay(replay_dir, answers)
    assert pre_gen.replay_file(answers) == str(path)
    how, command = pre_gen.retry_command(answers)
    assert how == f'correct the answers in {path}, then run'
    assert command == [
        'cookiecutter',
        '--replay-file',
        str(path),
        '-o',
        '/home/zoë/src',
        'gh:org/chat-template',
    ]


def test_a_replay_file_of_other_answers_is_not_named(replay_dir):
    """ an older bake's file, or one from another run, is not these answers """
    answers = {**GOOD, **COOKIECUTTER_KEYS}
    keep_for_replay(replay_dir, {**answers, 'port': '9000'})
    assert pre_gen.replay_file(answers) is None
    (replay_dir / 'chat-template.json').write_text('[]', encoding='utf-8')
    assert pre_gen.replay_file(answers) is None


def test_without_a_replay_file_the_command_carries_every_answer(replay_dir):
    """ the answers as key=value, quoted for the shell, for --no-input """
    answers = {**GOOD, 'project_name': 'O\'Connor\'s "Chat" Café', 'port': '0'}
    assert not replay_dir.exists()
    how, command = pre_gen.retry_command({**answers, **COOKIECUTTER_KEYS})
    assert how == 'correct the answers named above in this command, then run it'
    words = shlex.split(shlex.join(command))
    assert words[:5] == [
        'cookiecutter',
        '--no-input',
        '-o',
        '/home/zoë/src',
        'gh:org/chat-template',
    ]
    assert dict(word.split('=', 1) for word in words[5:]) == answers


def test_under_cruft_the_command_is_cruft_create(replay_dir):
    """ cruft keeps no replay file and takes the answers as JSON """
    cruft_keys = {'_template': '/src/chat-template', '_commit': 'f00d'}
    keep_for_replay(replay_dir, {**GOOD, **cruft_keys})
    _, command = pre_gen.retry_command({**GOOD, **cruft_keys})
    assert command[:4] == ['cruft', 'create', '--no-input', '--extra-context']
    assert json.loads(command[4]) == GOOD
    assert command[5:] == ['/src/chat-template']


def make_licenses(project):
    """ the licence folder as the template writes it """
    licenses = project / post_gen.LICENSES_DIR
    licenses.mkdir()
    for name in ('MIT', 'BSD-3-Clause', 'Apache-2.0', 'Proprietary'):
        (licenses / name).write_text(f'{name} text\n', encoding='utf-8')


def test_keep_license_keeps_only_the_chosen_one(tmp_path):
    """ the chosen text becomes LICENSE, the folder of the others goes """
    make_licenses(tmp_path)
    post_gen.keep_license(tmp_path, 'Apache-2.0')
    assert (tmp_path / 'LICENSE').read_text(encoding='utf-8') == 'Apache-2.0 text\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ['LICENSE']


def test_env_holds_a_private_random_secret(tmp_path):
    """ .env is readable by its owner only, and differs every time """
    secrets = []
    for _ in range(2):
        post_gen.write_env(tmp_path)
        env = tmp_path / '.env'
        assert stat.S_IMODE(env.stat().st_mode) == 0o600
        name, _, value = env.read_text(encoding='utf-8').strip().partition('=')
        assert name == 'COOKIE_SECRET'
        assert len(value) >= 43
        secrets.append(value)
    assert secrets[0] != secrets[1]


def test_answers_are_recorded_without_private_keys(tmp_path):
    """ .cookiecutter.json keeps the answers and the template, nothing private """
    answers = {
        'project_name': 'Café "Chat"',
        'port': '8080',
        '_template': 'gh:org/chat-template',
        '_output_dir': '/tmp/out',
        '__prompts__': {'port': 'Port'},
        '_copy_without_render': ['client/src/*'],
    }
    post_gen.write_answers(tmp_path, answers)
    recorded = json.loads((tmp_path / '.cookiecutter.json').read_text(encoding='utf-8'))
    assert recorded == {
        'cookiecutter': {
            '_template': 'gh:org/chat-template',
            'port': '8080',
            'project_name': 'Café "Chat"',
        }
    }


def test_next_steps_name_the_folder_and_port():
    """ the user is told where to go and what to run """
    text = post_gen.next_steps(
        {'project_name': 'Chat', 'project_slug': 'chat', 'port': '9000'}
    )
    assert 'cd chat' in text
    assert 'make setup' in text
    assert 'inv server' in text
    assert 'http://127.0.0.1:9000/' in text
    assert 'account-add' not in text


def test_next_steps_with_login_add_an_account_first():
    """ with login, nobody gets in before an account is added """
    answers = {'project_name': 'Chat', 'project_slug': 'chat', 'port': '8080'}
    text = post_gen.next_steps({**answers, 'auth': 'password'})
    assert text.index('inv account-add') < text.index('inv server')
