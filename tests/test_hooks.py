""" The hooks' functions, called directly (cookiecutter is not involved). """
import importlib.util
import json
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
    (package / 'migrations').mkdir(parents=True)
    (package / 'store.py').write_text('', encoding='utf-8')
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
        '_template': 'gh:org/chat-template',
        'port': '8080',
        'project_name': 'Café "Chat"',
    }


def test_next_steps_name_the_folder_and_port():
    """ the user is told where to go and what to run """
    text = post_gen.next_steps(
        {'project_name': 'Chat', 'project_slug': 'chat', 'port': '9000'}
    )
    assert 'cd chat' in text
    assert 'make setup' in text
    assert 'inv server' in text
    assert 'http://localhost:9000/' in text
    assert 'account-add' not in text


def test_next_steps_with_login_add_an_account_first():
    """ with login, nobody gets in before an account is added """
    answers = {'project_name': 'Chat', 'project_slug': 'chat', 'port': '8080'}
    text = post_gen.next_steps({**answers, 'auth': 'password'})
    assert text.index('inv account-add') < text.index('inv server')
