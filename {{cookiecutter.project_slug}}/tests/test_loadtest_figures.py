"""The load test's pure parts: its command line, its plan and its figures."""

import argparse
import json
import resource

import pytest

from loadtest import __main__ as command
from loadtest import report, runner
from loadtest.bake import ANSWERS
from loadtest.runner import (
    Observed,
    Progress,
    Spread,
    Timing,
    probe_count,
    shares,
    sources,
)
from loadtest.worker import MOST_IN_FLIGHT, Flight, Load, check_nofile
from loadtest.wsclient import KINDS, MESSAGE, Target


def test_clients_take_one_number_or_a_sweep():
    """'100' and '100,1000,' are read; nothing, zero or less is refused"""
    assert command.clients_list('100') == [100]
    assert command.clients_list('100,1000,') == [100, 1000]
    for wrong in ('', ',', '0', '5,-1'):
        with pytest.raises(argparse.ArgumentTypeError):
            command.clients_list(wrong)


def test_rate_is_messages_a_second_or_max():
    """'max' is the closed loop (0); a rate must be above 0"""
    assert command.rate_value('max') == 0.0
    assert command.rate_value('2.5') == 2.5
    for wrong in ('0', '-1'):
        with pytest.raises(argparse.ArgumentTypeError):
            command.rate_value(wrong)


def test_the_defaults_load_the_app_alone():
    """no option: 1000 clients in general, 20 messages/s, 10 s, only the app"""
    args = command.parse_args([])
    assert (args.clients, args.rate, args.duration) == ([1000], 20.0, 10.0)
    assert args.rooms == 1
    assert command.targets(args) == [('app', 'app')]


def test_the_help_shows_every_default(capsys):
    """--help: each option with its default, --rooms among them"""
    with pytest.raises(SystemExit):
        command.parse_args(['--help'])
    out = ' '.join(capsys.readouterr().out.split())
    assert 'JSON-RPC 2.0' in out
    assert '--rooms ROOMS rooms the clients are spread over in turn: general, ' in out
    assert 'room-1, ... (default: 1)' in out
    assert '--probes PROBES clients that measure latency (and one per room' in out
    assert out.count('(default: ') == 20  # every option but --help


def test_every_server_can_be_loaded():
    """--baseline and --calibrate add their servers after the app"""
    args = command.parse_args(['--baseline', '--calibrate'])
    assert command.targets(args) == [
        ('app', 'app'),
        ('baseline', 'baseline'),
        ('raw', 'raw'),
    ]


def test_a_running_server_is_loaded_by_its_url():
    """--url replaces the app; no server is started for it"""
    args = command.parse_args(['--url', 'ws://127.0.0.1:9000/ws', '--baseline'])
    assert command.targets(args) == [('url', None), ('baseline', 'baseline')]


@pytest.mark.parametrize(
    'argv, error',
    [
        (['--size', '31'], '--size must be 32 to 2000 characters'),
        (['--size', '2001'], '--size must be 32 to 2000 characters'),
        (['--url', 'ws://example.com:80/ws'], 'example.com is not a loopback address'),
        (['--url', 'http://127.0.0.1:80/ws'], 'expected ws://127.0.0.1:PORT/ws'),
        (['--clients', '0'], 'expected N or N,N,... (each at least 1)'),
        (['--rooms', '0'], '--rooms must be 1 to 1000 and at most the least --clients'),
        (['--rooms', '1001', '--clients', '5000'], '--rooms must be 1 to 1000'),
        (['--rooms', '11', '--clients', '10,100'], 'at most the least --clients'),
    ],
)
def test_a_wrong_command_line_is_refused_with_a_reason(argv, error, capsys):
    """exit code 2 and the reason, as argparse does"""
    with pytest.raises(SystemExit) as stopped:
        command.parse_args(argv)
    assert stopped.value.code == 2
    assert error in capsys.readouterr().err


def worker_result(**figures):
    """what one worker hands in, with figures in place of the defaults"""
    window_counts = [0] * len(KINDS)
    window_counts[MESSAGE] = 400
    result = {
        'worker': 0,
        'connected': 20,
        'connected_rooms': [20],
        'sent': 22,
        'sent_rooms': [22],
        'sent_window': 20,
        'sent_window_rooms': [20],
        'refused_rooms': [0],
        'window_counts': window_counts,
        'received': 440,
        'latencies_ns': [3_000_000, 1_000_000, 2_000_000],
        'cpu_s': 0.5,
        'closed': 0,
        'senders': 20,
        'given_up': 0,
        'in_flight': 0,
        'probe_rooms': 1,
    }
    return {**result, **figures}


def observed(pid=4321, readings=None, **figures):
    """a run's observations: one worker, and the server's readings"""
    if readings is None:
        readings = {
            'rss_start_kb': 10_000,
            'rss_idle_kb': 10_400,
            'cpu_s': 0.25,
            'rss_peak_kb': 10_500,
        }
    connected = figures.get('connected', 20)
    answers = [('connected', connected, 0, '', figures.get('connected_rooms', [20]))]
    return Observed(pid, readings, answers, [worker_result(**figures)])


LOAD = Load(clients=20, rate=20.0, size=100, per_client=10.0)
TIMING = Timing(duration=1.0, warmup=0.2, drain=1.0)


def test_a_row_holds_the_figures_of_a_run():
    """deliveries, their share of what was sent, latency and the server's cost"""
    row = report.summarize('app', LOAD, TIMING, observed())
    assert row['connected'] == 20
    assert row['deliveries'] == 400
    assert row['deliveries_per_s'] == 400.0
    assert row['delivered_percent'] == 100.0
    assert row['undelivered'] == 0
    assert row['frames']['message'] == 400
    assert (row['rooms'], row['clients_per_room']) == (1, [20, 20])
    assert row['latency_ms'] == {
        'samples': 3,
        'p50': 2.0,
        'p90': 3.0,
        'p99': 3.0,
        'max': 3.0,
    }
    server = row['server_process']
    assert server['rss_per_idle_client_kb'] == 20.0
    assert server['cpu_percent'] == 25.0
    assert server['cpu_us_per_delivery'] == 625.0
    assert row['generator']['cpu_percent_each'] == [50.0]
    assert not row['generator']['per_client_limited']


def test_with_rooms_what_is_due_is_counted_room_by_room():
    """a message is due to the clients of its room: 5 in general, 3 in room-1;
    a message refused is not due at all"""
    window_counts = [0] * len(KINDS)
    window_counts[MESSAGE] = 50
    probes = worker_result(
        connected=3,
        connected_rooms=[2, 1],
        sent=0,
        sent_rooms=[0, 0],
        sent_window=0,
        sent_window_rooms=[0, 0],
        refused_rooms=[0, 0],
        received=9 * 2 + 6 * 1,
        window_counts=[0] * len(KINDS),
        probe_rooms=2,
    )
    senders = worker_result(
        connected=5,
        connected_rooms=[3, 2],
        sent=16,
        sent_rooms=[10, 6],
        sent_window=13,
        sent_window_rooms=[8, 5],
        refused_rooms=[1, 0],
        received=9 * 3 + 6 * 2 - 4,
        window_counts=window_counts,
        probe_rooms=0,
    )
    answers = [('connected', 3, 0, '', [2, 1]), ('connected', 5, 0, '', [3, 2])]
    load = Load(clients=8, rate=20.0, rooms=2)
    row = report.summarize(
        'app', load, TIMING, Observed(None, {}, answers, [probes, senders])
    )
    assert (row['rooms'], row['clients_per_room']) == (2, [3, 5])
    assert row['offered_per_s'] == 8 * 5 + 5 * 3
    assert row['deliveries_per_s'] == 50
    assert row['delivered_percent'] == round(100 * 50 / 55, 1)
    assert row['undelivered'] == 4
    assert row['refused'] == 1
    assert row['generator']['probe_rooms'] == 2


def test_a_row_without_deliveries_has_no_cost_per_delivery():
    """nothing arrived: no latency, no us/delivery, all of it undelivered"""
    window_counts = [0] * len(KINDS)
    row = report.summarize(
        'app',
        LOAD,
        TIMING,
        observed(window_counts=window_counts, received=0, latencies_ns=[]),
    )
    assert row['latency_ms'] == {
        'samples': 0,
        'p50': None,
        'p90': None,
        'p99': None,
        'max': None,
    }
    assert row['undelivered'] == 22 * 20
    assert 'cpu_us_per_delivery' not in row['server_process']
    assert row['server_process']['cpu_percent'] == 25.0


def test_a_row_without_connections_has_no_memory_per_connection():
    """no client connected: no KB per idle connection"""
    readings = {'rss_start_kb': 10_000, 'cpu_s': 0.0, 'rss_peak_kb': 10_000}
    row = report.summarize(
        'app',
        LOAD,
        TIMING,
        observed(readings=readings, connected=0, connected_rooms=[0], senders=0),
    )
    assert 'rss_per_idle_client_kb' not in row['server_process']
    assert row['delivered_percent'] is None


def test_a_server_without_a_process_has_no_server_figures():
    """--url without --pid: the server's CPU and memory are unknown"""
    readings = {'rss_start_kb': None}
    row = report.summarize('url', LOAD, TIMING, observed(pid=None, readings=readings))
    assert row['server_process'] == {'pid': None, 'rss_start_kb': None}
    assert report.cells(row)[8:11] == ['-', '-', '-']


def test_sending_near_the_per_client_cap_is_flagged():
    """20 senders at most 10/s for 1 s: 180 or more sent is capped; no cap, never"""
    assert report.capped(180, LOAD, TIMING, [worker_result()])
    assert not report.capped(179, LOAD, TIMING, [worker_result()])
    unlimited = Load(clients=20, rate=0.0, per_client=0.0)
    assert not report.capped(1000, unlimited, TIMING, [worker_result()])


def test_the_table_aligns_a_column_per_figure():
    """a title line, then one line per row, every column right-aligned"""
    rows = [
        report.summarize('app', LOAD, TIMING, observed()),
        report.summarize('baseline', LOAD, TIMING, observed()),
    ]
    lines = report.table(rows).splitlines()
    assert lines[0].split() == [
        'server',
        'bake',
        'N',
        'sent/s',
        'deliveries/s',
        'of',
        'sent',
        'p50',
        'ms',
        'p99',
        'ms',
        'KB/idle',
        'conn',
        'server',
        'CPU',
        'us/delivery',
        'load',
        'CPU',
    ]
    assert lines[1].split() == [
        'app',
        '-',
        '20',
        '20',
        '400',
        '100.0%',
        '2.0',
        '3.0',
        '20.0',
        '25%',
        '625.00',
        '50%',
    ]
    assert lines[2].split()[0] == 'baseline'
    assert len({len(line) for line in lines}) == 1


def row_of(server, clients, deliveries_per_s):
    """the figures ratios() reads"""
    return {'server': server, 'clients': clients, 'deliveries_per_s': deliveries_per_s}


def test_ratios_compare_each_server_with_the_baseline_at_the_same_n():
    """app and raw over the baseline, for each N the baseline ran at (and > 0)"""
    rows = [
        row_of('app', 100, 3000.0),
        row_of('baseline', 100, 1000.0),
        row_of('raw', 100, 5000.0),
        row_of('app', 1000, 8000.0),
        row_of('baseline', 1000, 0.0),
        row_of('app', 5000, 9000.0),
    ]
    assert report.ratios(rows) == [
        {'server': 'app', 'clients': 100, 'over_baseline': 3.0},
        {'server': 'raw', 'clients': 100, 'over_baseline': 5.0},
    ]
    assert not report.ratios([row_of('app', 100, 3000.0)])


def test_percentiles_are_nearest_rank():
    """the value at rank round(p x n), within the list; None of nothing"""
    ordered = list(range(1, 101))
    assert report.percentile(ordered, 0.5) == 50
    assert report.percentile(ordered, 0.99) == 99
    assert report.percentile(ordered, 1.0) == 100
    assert report.percentile([7], 0.0) == 7
    assert report.percentile([], 0.5) is None


def note_row(limited=False, busy=False, undelivered=0, probed=1, refused=0):
    """the figures notes() reads"""
    return {
        'server': 'app',
        'clients': 100,
        'rooms': 1 if probed == 1 else 60,
        'refused': refused,
        'undelivered': undelivered,
        'generator': {
            'per_client_limited': limited,
            'cpu_percent_each': [10.0, 95.0 if busy else 20.0],
            'probe_rooms': probed,
        },
    }


def test_notes_say_what_may_have_bounded_the_figures():
    """the per-client cap, a busy generator, rooms without a probe, messages
    refused, late deliveries"""
    args = command.parse_args(['--rate', 'max'])
    assert not command.notes([note_row()], args)
    row = note_row(limited=True, busy=True, undelivered=7, probed=40, refused=3)
    found = command.notes([row], args)
    assert found == [
        'app at N=100: --per-client 10/s capped sending',
        'app at N=100: a generator process was busy: figures may be its limit',
        'app at N=100: latency measured in 40 of 60 rooms (a room needs a probe and '
        'a sender: more clients, or --probes)',
        'app at N=100: the server refused 3 messages (an error answered their send: '
        'see the frames counted in the JSON)',
        'app at N=100: 7 deliveries had not arrived 5s after the window (--drain)',
    ]


def test_a_note_says_a_fixed_rate_compares_little():
    """at a fixed rate both servers keep up: the ratio says little"""
    for argv in (['--baseline'], ['--baseline', '--deliveries', '1000']):
        found = command.notes([], command.parse_args(argv))
        assert found == [
            'at a fixed --rate both servers deliver what is sent while they keep up: '
            '--rate max compares what they can sustain'
        ]
    assert not command.notes([], command.parse_args(['--rate', 'max', '--baseline']))


def test_the_figures_are_printed_and_written_as_json_only_when_asked(
    monkeypatch, capsys, tmp_path
):
    """the table, the ratio and the notes on the terminal; no file without --json"""
    monkeypatch.chdir(tmp_path)

    def run_one(label, _kind, load, _args):
        return report.summarize(label, load, TIMING, observed())

    monkeypatch.setattr(command, 'run_one', run_one)
    command.main(['--clients', '20', '--baseline'])
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ['app: 20 clients, 10s ...', 'baseline: 20 clients, 10s ...']
    assert lines[3] == (
        f'bake: {report.bake_name(ANSWERS)} (loadtest/bake.py); rooms: 1 (general); '
        f'{report.BAKE_LEGEND}'
    )
    assert lines[4].split()[:3] == ['server', 'bake', 'N']
    app = {'server': 'app', 'clients': 20, 'sent_per_s': 20.0}
    assert lines[7:] == [
        *report.stored_lines([app], ANSWERS),  # with a database, a line
        'app / baseline at N=20: 1.00x the deliveries/s',
        'note: at a fixed --rate both servers deliver what is sent while they keep up: '
        '--rate max compares what they can sustain',
    ]
    assert not list(tmp_path.iterdir())


def test_a_sweep_prints_the_costs_at_each_n(monkeypatch, capsys, tmp_path):
    """--clients 20,40: KB per idle connection and us per delivery at each N"""
    monkeypatch.chdir(tmp_path)

    def run_one(label, _kind, load, _args):
        return report.summarize(label, load, TIMING, observed())

    monkeypatch.setattr(command, 'run_one', run_one)
    command.main(['--clients', '20,40', '--json', 'out.json'])
    out = capsys.readouterr().out
    assert 'app at N=40: 20.0 KB per idle connection, 625.00 us' in out
    assert 'app: us per delivery varies 1.00x from N=20 to N=40 (flat' in out
    written = json.loads((tmp_path / 'out.json').read_text(encoding='utf-8'))
    assert written['bake'] == ANSWERS
    assert written['sweep'][0]['clients'] == [20, 40]


def test_with_rooms_the_summary_names_them_and_deliveries_set_the_rate(
    monkeypatch, capsys
):
    """--rooms 4: the rooms beside the bake; --deliveries D offers D
    deliveries/s to rooms of N / 4 clients: D x 4 / N messages/s"""
    loads = []

    def run_one(label, _kind, load, _args):
        loads.append(load)
        return report.summarize(label, load, TIMING, observed())

    monkeypatch.setattr(command, 'run_one', run_one)
    command.main(['--clients', '20,40', '--rooms', '4', '--deliveries', '100'])
    assert [(load.rooms, load.rate) for load in loads] == [(4, 20.0), (4, 10.0)]
    out = capsys.readouterr().out
    assert 'rooms: 4 (general, room-1 ... room-3); bake column' in out


def test_the_rooms_are_named_in_short():
    """one to three by name; more: the first and the last"""
    assert report.rooms_name(1) == 'general'
    assert report.rooms_name(3) == 'general, room-1, room-2'
    assert report.rooms_name(1000) == 'general, room-1 ... room-999'


def test_there_is_a_probe_in_every_room_while_the_clients_allow():
    """a tenth of N, at most --probes; with rooms, one per room at least, as
    long as a room with a probe keeps a sender (at most N - rooms probes)"""
    assert probe_count(1000, 1, 20) == 20
    assert probe_count(50, 1, 20) == 5
    assert probe_count(1000, 10, 20) == 20
    assert probe_count(1000, 50, 20) == 50
    assert probe_count(1000, 600, 20) == 400
    assert probe_count(100, 100, 20) == 10
    assert probe_count(2, 2, 20) == 1


def test_with_rooms_the_clients_are_numbered_across_the_workers():
    """each worker's first client: its number among all (client n is in room n
    modulo the rooms); the probes first, so probe k is in room k"""
    load = Load(clients=1000, rate=100.0, rooms=50)
    planned = shares(load, Spread(workers=2, probes=20), Target('::1', 9000), 5.0)
    assert [share.load.clients for share in planned] == [50, 475, 475]
    assert [share.first for share in planned] == [0, 50, 525]
    assert {share.load.rooms for share in planned} == {50}


def test_the_probes_get_a_worker_of_their_own():
    """worker 0: a tenth of the clients (at most --probes), listening only"""
    target = Target('127.0.0.1', 9000)
    load = Load(clients=1000, rate=100.0)
    planned = shares(load, Spread(workers=3, probes=20), target, drain=5.0)
    assert [share.load.clients for share in planned] == [20, 327, 327, 326]
    assert [share.probe for share in planned] == [True, False, False, False]
    assert [share.sends for share in planned] == [False, True, True, True]
    rates = [share.load.rate for share in planned[1:]]
    assert sum(rates) == pytest.approx(100.0)


def test_the_senders_schedules_interleave():
    """at 100/s over three senders: each starts 10 ms after the one before"""
    load = Load(clients=1000, rate=100.0)
    planned = shares(load, Spread(workers=3, probes=20), Target('::1', 9000), 5.0)
    offsets = [share.load.offset for share in planned]
    assert offsets == pytest.approx([0, 0, 0.01, 0.02])
    unlimited = shares(Load(clients=1000, rate=0), Spread(), Target('::1', 9000), 5.0)
    assert {share.load.offset for share in unlimited} == {0.0}


def test_a_lone_client_probes_and_sends():
    """one client: it is the probe, and it sends all of the load"""
    load = Load(clients=1, rate=10.0)
    planned = shares(load, Spread(workers=2, probes=20), Target('::1', 9000), 5.0)
    assert len(planned) == 1
    assert planned[0].probe and planned[0].sends
    assert planned[0].load.rate == 10.0


def test_the_flight_grows_on_prompt_acks_and_halves_on_late_ones():
    """+1 per prompt ack in slow start, +1/size after; halved once per round trip"""
    flight = Flight(target=0.25)
    flight.acked(0.1, now=1.0)
    assert flight.size == 3.0
    flight.acked(0.5, now=2.0)
    assert (flight.size, flight.slow_start) == (1.5, False)
    flight.acked(0.5, now=2.1)
    assert flight.size == 1.5
    flight.acked(0.1, now=3.0)
    assert flight.size == pytest.approx(1.5 + 1 / 1.5)
    for now in (100.0, 110.0, 120.0):
        flight.acked(9.0, now)
    assert flight.size == 1.0
    flight.size = MOST_IN_FLIGHT
    flight.acked(0.1, now=200.0)
    assert flight.size == MOST_IN_FLIGHT


def test_too_few_open_files_stop_the_run_with_what_to_do():
    """the hard limit below N + spare: RuntimeError naming both and the fixes"""
    check_nofile(10_000, 10_200)
    check_nofile(10_000, resource.RLIM_INFINITY)
    with pytest.raises(RuntimeError) as refused:
        check_nofile(10_000, 4096)
    assert str(refused.value).startswith(
        '10000 connections need about 10200 open files, but the hard limit is 4096'
    )
    assert 'ulimit -Hn 10200' in str(refused.value)


def test_many_clients_come_from_several_source_addresses():
    """past per_source clients: 127.0.0.1, 127.0.0.2, ...; IPv4 targets only"""
    assert not sources('127.0.0.1', 7000, per_source=7000)
    assert sources('127.0.0.1', 7001, per_source=7000) == ('127.0.0.1', '127.0.0.2')
    assert len(sources('127.0.0.1', 1 << 30, per_source=10)) == runner.MOST_SOURCES
    assert not sources('::1', 10_000, per_source=10)
    assert not sources('localhost', 10_000, per_source=10)
    # by default, a quarter of the ports of one address (Linux: 7 000 of 28 000)
    assert sources('127.0.0.1', runner.local_ports() // 4 + 1) == (
        '127.0.0.1',
        '127.0.0.2',
    )


def test_progress_shows_clients_connected_then_deliveries_per_second():
    """the sums over the workers' counts, a line for each phase"""
    progress = Progress([[300, 0], [200, 0]], clients=1000)
    assert progress.connecting() == '  connecting: 500 of 1000 clients'
    progress.plan((100.0, 110.0))
    assert progress.sending(now=99.0) == '  warming up: 11s left'
    progress.open()
    progress.counts[0][1] = 30_000
    progress.counts[1][1] = 20_000
    assert progress.sending(now=102.0) == (
        '  sending: 25,000 deliveries/s so far, 8s left'
    )
    assert ' deliveries/s so far, ' in progress.sending()  # now


def test_progress_shows_a_line_a_second_at_most(capsys):
    """tick() prints the line only when a second has passed since the last"""
    progress = Progress([], clients=1)
    progress.tick(lambda: 'soon')
    progress.shown -= runner.PROGRESS_EVERY
    progress.tick(lambda: 'now')
    progress.tick(lambda: 'again')
    assert capsys.readouterr().out == 'now\n'


def test_the_bake_is_named_beside_the_figures():
    """database/auth/broker, and the number of server processes when known"""
    bake = {'database': 'sqlite', 'auth': 'none', 'broker': 'redis'}
    assert report.bake_name(bake) == 'sqlite/none/redis'
    assert report.bake_name({**bake, 'processes': 2}) == 'sqlite/none/redis x2'
    row = {**report.summarize('app', LOAD, TIMING, observed()), 'bake': bake}
    assert report.cells(row)[:2] == ['app', 'sqlite/none/redis']
    assert set(ANSWERS) == {'database', 'auth', 'broker'}


def test_with_a_database_the_messages_stored_a_second_are_named():
    """the app's sent/s is what it stored; the baseline stores nothing"""
    rows = [
        {'server': 'app', 'clients': 20, 'sent_per_s': 12572.4},
        {'server': 'baseline', 'clients': 20, 'sent_per_s': 900.0},
        {'server': 'url', 'clients': 50, 'sent_per_s': 20.0},
    ]
    bake = {'database': 'postgresql', 'auth': 'none', 'broker': 'memory'}
    assert report.stored_lines(rows, bake) == [
        'app at N=20: 12,572 messages stored a second '
        '(postgresql, each before it was delivered)',
        'url at N=50: 20 messages stored a second '
        '(postgresql, each before it was delivered)',
    ]
    assert not report.stored_lines(rows, {**bake, 'database': 'none'})


def sweep_row(server, clients, kb, cost):
    """the figures sweep() reads"""
    process = {'rss_per_idle_client_kb': kb, 'cpu_us_per_delivery': cost}
    return {'server': server, 'clients': clients, 'server_process': process}


def test_a_sweep_says_how_the_costs_grow_with_n():
    """per server run at several N: KB and us per delivery; flat within 2x"""
    rows = [
        sweep_row('app', 1000, 15.0, 1.5),
        sweep_row('app', 100, 18.0, 1.0),
        sweep_row('baseline', 100, 20.0, 3.0),
        sweep_row('baseline', 1000, 20.0, 6.5),
        sweep_row('raw', 100, 10.0, 1.0),
        sweep_row('url', 100, None, None),
        sweep_row('url', 1000, None, None),
    ]
    found = report.sweep(rows)
    assert [each['server'] for each in found] == ['app', 'baseline', 'url']
    app, baseline, url = found[0], found[1], found[2]
    assert app['clients'] == [100, 1000]
    assert app['rss_per_idle_client_kb'] == [18.0, 15.0]
    assert (app['cpu_spread'], app['cpu_flat']) == (1.5, True)
    assert (baseline['cpu_spread'], baseline['cpu_flat']) == (6.5 / 3.0, False)
    assert (url['cpu_spread'], url['cpu_flat']) == (None, None)
    assert report.sweep_lines(found) == [
        'app at N=100: 18.0 KB per idle connection, 1.00 us of server CPU per delivery',
        'app at N=1000: 15.0 KB per idle connection, 1.50 us of server CPU per delivery',
        'app: us per delivery varies 1.50x from N=100 to N=1000 (flat: within 2x is flat)',
        'baseline at N=100: 20.0 KB per idle connection, '
        '3.00 us of server CPU per delivery',
        'baseline at N=1000: 20.0 KB per idle connection, '
        '6.50 us of server CPU per delivery',
        'baseline: us per delivery varies 2.17x from N=100 to N=1000 '
        '(not flat: within 2x is flat)',
        'url at N=100: - KB per idle connection, - us of server CPU per delivery',
        'url at N=1000: - KB per idle connection, - us of server CPU per delivery',
    ]
