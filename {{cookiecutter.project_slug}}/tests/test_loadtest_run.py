"""``python -m loadtest`` for real, briefly: the app and the baseline, loaded.

The command runs in a process of its own, as ``inv loadtest`` runs it; it
starts the servers and the worker processes itself. Coverage follows them all
(``patch = subprocess`` in setup.cfg).
"""

import json
import os
import signal
import subprocess
import sys

from loadtest.bake import ANSWERS

from .ports import free_port

CLIENTS = 20
QUICK = ['--duration', '1', '--warmup', '0.2', '--drain', '2', '--workers', '1']


def loadtest(folder, env, *args):
    """run ``python -m loadtest`` in folder; its completed process

    Past two minutes it is killed with all it started (servers, workers).
    """
    with subprocess.Popen(
        [sys.executable, '-m', 'loadtest', *args],
        cwd=folder,
        env={**os.environ, 'PYTHONPATH': os.getcwd(), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_the_app_and_the_baseline_are_loaded_and_compared(
    tmp_path, server_options, ws_headers
):
    """every client connects and joins its room (two rooms); deliveries,
    latency (in both rooms), the server's cost, the ratio"""
    run = loadtest(
        tmp_path,
        server_options.env,
        *QUICK,
        '--clients',
        str(CLIENTS),
        '--rooms',
        '2',
        '--baseline',
        # with login: the test clients' cookie, as a logged-in person's
        '--cookie',
        ws_headers.get('Cookie', ''),
        '--json',
        'out.json',
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads((tmp_path / 'out.json').read_text(encoding='utf-8'))
    assert [row['server'] for row in figures['rows']] == ['app', 'baseline']
    for row in figures['rows']:
        assert row['connected'] == CLIENTS, row
        assert (row['rooms'], row['clients_per_room']) == (2, [10, 10]), row
        assert row['generator']['probe_rooms'] == 2, row
        assert row['frames']['error'] == 0, row
        assert row['deliveries'] > 0, row
        assert row['latency_ms']['samples'] > 0, row
        assert row['server_process']['rss_per_idle_client_kb'] is not None, row
        assert row['server_process']['cpu_percent'] is not None, row
    app, baseline = figures['rows']
    assert app['bake'] == {**ANSWERS, 'processes': 1}
    assert 'bake' not in baseline
    assert app['generator']['source_addresses'] == 1
    [ratio] = figures['ratios']
    assert ratio['server'] == 'app'
    assert ratio['over_baseline'] > 0
    assert 'deliveries/s' in run.stdout
    assert 's left\n' in run.stdout  # progress, a line a second
    assert f'app / baseline at N={CLIENTS}: ' in run.stdout
    assert 'rooms: 2 (general, room-1)' in run.stdout
    assert 'figures written to out.json' in run.stdout


def test_a_server_nobody_can_connect_to_stops_the_command(tmp_path):
    """no client connected: exit code 1 and the first error, no figures"""
    url = f'ws://127.0.0.1:{free_port()}/ws'
    run = loadtest(
        tmp_path,
        {},
        *['--url', url, '--clients', '2', '--workers', '1'],
        *['--duration', '0.1', '--warmup', '0', '--json', 'x'],
    )
    assert run.returncode == 1
    assert 'loadtest: no client could connect to url: ' in run.stderr
    assert 'ConnectionRefusedError' in run.stderr
    assert not (tmp_path / 'x').exists()
{%- if cookiecutter.broker == 'redis' %}


def test_two_processes_chatting_through_redis_are_loaded_together(
    tmp_path, server_options, ws_headers
):
    """--processes=2: the clients spread over both, and every message sent to
    one reaches the clients of both (through Redis); their costs add up"""
    run = loadtest(
        tmp_path,
        server_options.env,
        *QUICK,
        *['--clients', str(CLIENTS), '--per-source', '5'],
        *['--cookie', ws_headers.get('Cookie', ''), '--json', 'out.json'],
        '--options=--processes=2',
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads((tmp_path / 'out.json').read_text(encoding='utf-8'))
    [row] = figures['rows']
    assert row['bake'] == {**ANSWERS, 'processes': 2}
    assert row['generator']['source_addresses'] == 4
    assert row['connected'] == CLIENTS
    assert row['deliveries'] > 0
    assert row['undelivered'] == 0
    assert 'x2' in run.stdout
{%- endif %}
