""" The load test's pure parts: its command line, its plan and its figures. """
import argparse

import pytest

from loadtest import __main__ as command
from loadtest import report
from loadtest.runner import Observed, Spread, Timing, shares
from loadtest.worker import MOST_IN_FLIGHT, Flight, Load
from loadtest.wsclient import KINDS, MESSAGE, Target


def test_clients_take_one_number_or_a_sweep():
    """ '100' and '100,1000,' are read; nothing, zero or less is refused """
    assert command.clients_list('100') == [100]
    assert command.clients_list('100,1000,') == [100, 1000]
    for wrong in ('', ',', '0', '5,-1'):
        with pytest.raises(argparse.ArgumentTypeError):
            command.clients_list(wrong)


def test_rate_is_messages_a_second_or_max():
    """ 'max' is the closed loop (0); a rate must be above 0 """
    assert command.rate_value('max') == 0.0
    assert command.rate_value('2.5') == 2.5
    for wrong in ('0', '-1'):
        with pytest.raises(argparse.ArgumentTypeError):
            command.rate_value(wrong)


def test_the_defaults_load_the_app_alone():
    """ no option: 1000 clients, 20 messages/s, 10 s, only the app """
    args = command.parse_args([])
    assert (args.clients, args.rate, args.duration) == ([1000], 20.0, 10.0)
    assert command.targets(args) == [('app', 'app')]


def test_every_server_can_be_loaded():
    """ --baseline and --calibrate add their servers after the app """
    args = command.parse_args(['--baseline', '--calibrate'])
    assert command.targets(args) == [
        ('app', 'app'),
        ('baseline', 'baseline'),
        ('raw', 'raw'),
    ]


def test_a_running_server_is_loaded_by_its_url():
    """ --url replaces the app; no server is started for it """
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
    ],
)
def test_a_wrong_command_line_is_refused_with_a_reason(argv, error, capsys):
    """ exit code 2 and the reason, as argparse does """
    with pytest.raises(SystemExit) as stopped:
        command.parse_args(argv)
    assert stopped.value.code == 2
    assert error in capsys.readouterr().err


def worker_result(**figures):
    """ what one worker hands in, with figures in place of the defaults """
    window_counts = [0] * len(KINDS)
    window_counts[MESSAGE] = 400
    result = {
        'worker': 0,
        'connected': 20,
        'sent': 22,
        'sent_window': 20,
        'window_counts': window_counts,
        'received': 440,
        'errors': 0,
        'latencies_ns': [3_000_000, 1_000_000, 2_000_000],
        'cpu_s': 0.5,
        'closed': 0,
        'senders': 20,
        'given_up': 0,
        'in_flight': 0,
    }
    return {**result, **figures}


def observed(pid=4321, readings=None, **figures):
    """ a run's observations: one worker, and the server's readings """
    if readings is None:
        readings = {
            'rss_start_kb': 10_000,
            'rss_idle_kb': 10_400,
            'cpu_s': 0.25,
            'rss_peak_kb': 10_500,
        }
    answers = [('connected', figures.get('connected', 20), 0, '')]
    return Observed(pid, readings, answers, [worker_result(**figures)])


LOAD = Load(clients=20, rate=20.0, size=100, per_client=10.0)
TIMING = Timing(duration=1.0, warmup=0.2, drain=1.0)


def test_a_row_holds_the_figures_of_a_run():
    """ deliveries, their share of what was sent, latency and the server's cost """
    row = report.summarize('app', LOAD, TIMING, observed())
    assert row['connected'] == 20
    assert row['deliveries'] == 400
    assert row['deliveries_per_s'] == 400.0
    assert row['delivered_percent'] == 100.0
    assert row['undelivered'] == 0
    assert row['frames']['message'] == 400
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


def test_a_row_without_deliveries_has_no_cost_per_delivery():
    """ nothing arrived: no latency, no us/delivery, all of it undelivered """
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
    """ no client connected: no KB per idle connection """
    readings = {'rss_start_kb': 10_000, 'cpu_s': 0.0, 'rss_peak_kb': 10_000}
    row = report.summarize(
        'app', LOAD, TIMING, observed(readings=readings, connected=0, senders=0)
    )
    assert 'rss_per_idle_client_kb' not in row['server_process']
    assert row['delivered_percent'] is None


def test_a_server_without_a_process_has_no_server_figures():
    """ --url without --pid: the server's CPU and memory are unknown """
    readings = {'rss_start_kb': None}
    row = report.summarize('url', LOAD, TIMING, observed(pid=None, readings=readings))
    assert row['server_process'] == {'pid': None, 'rss_start_kb': None}
    assert report.cells(row)[7:10] == ['-', '-', '-']


def test_sending_near_the_per_client_cap_is_flagged():
    """ 20 senders at most 10/s for 1 s: 180 or more sent is capped; no cap, never """
    assert report.capped(180, LOAD, TIMING, [worker_result()])
    assert not report.capped(179, LOAD, TIMING, [worker_result()])
    unlimited = Load(clients=20, rate=0.0, per_client=0.0)
    assert not report.capped(1000, unlimited, TIMING, [worker_result()])


def test_the_table_aligns_a_column_per_figure():
    """ a title line, then one line per row, every column right-aligned """
    rows = [
        report.summarize('app', LOAD, TIMING, observed()),
        report.summarize('baseline', LOAD, TIMING, observed()),
    ]
    lines = report.table(rows).splitlines()
    assert lines[0].split() == [
        'server',
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
    """ the figures ratios() reads """
    return {'server': server, 'clients': clients, 'deliveries_per_s': deliveries_per_s}


def test_ratios_compare_each_server_with_the_baseline_at_the_same_n():
    """ app and raw over the baseline, for each N the baseline ran at (and > 0) """
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
    """ the value at rank round(p x n), within the list; None of nothing """
    ordered = list(range(1, 101))
    assert report.percentile(ordered, 0.5) == 50
    assert report.percentile(ordered, 0.99) == 99
    assert report.percentile(ordered, 1.0) == 100
    assert report.percentile([7], 0.0) == 7
    assert report.percentile([], 0.5) is None


def note_row(limited=False, busy=False, undelivered=0):
    """ the figures notes() reads """
    return {
        'server': 'app',
        'clients': 100,
        'undelivered': undelivered,
        'generator': {
            'per_client_limited': limited,
            'cpu_percent_each': [10.0, 95.0 if busy else 20.0],
        },
    }


def test_notes_say_what_may_have_bounded_the_figures():
    """ the per-client cap, a busy generator, late deliveries """
    args = command.parse_args(['--rate', 'max'])
    assert not command.notes([note_row()], args)
    found = command.notes([note_row(limited=True, busy=True, undelivered=7)], args)
    assert found == [
        'app at N=100: --per-client 10/s capped sending',
        'app at N=100: a generator process was busy: figures may be its limit',
        'app at N=100: 7 deliveries had not arrived 5s after the window (--drain)',
    ]


def test_a_note_says_a_fixed_rate_compares_little():
    """ at a fixed rate both servers keep up: the ratio says little """
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
    """ the table, the ratio and the notes on the terminal; no file without --json """
    monkeypatch.chdir(tmp_path)

    def run_one(label, _kind, load, _args):
        return report.summarize(label, load, TIMING, observed())

    monkeypatch.setattr(command, 'run_one', run_one)
    command.main(['--clients', '20', '--baseline'])
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == ['app: 20 clients, 10s ...', 'baseline: 20 clients, 10s ...']
    assert lines[3].split()[:2] == ['server', 'N']
    assert lines[6:] == [
        'app / baseline at N=20: 1.00x the deliveries/s',
        'note: at a fixed --rate both servers deliver what is sent while they keep up: '
        '--rate max compares what they can sustain',
    ]
    assert not list(tmp_path.iterdir())


def test_the_probes_get_a_worker_of_their_own():
    """ worker 0: a tenth of the clients (at most --probes), listening only """
    target = Target('127.0.0.1', 9000)
    load = Load(clients=1000, rate=100.0)
    planned = shares(load, Spread(workers=3, probes=20), target, drain=5.0)
    assert [share.load.clients for share in planned] == [20, 327, 327, 326]
    assert [share.probe for share in planned] == [True, False, False, False]
    assert [share.sends for share in planned] == [False, True, True, True]
    rates = [share.load.rate for share in planned[1:]]
    assert sum(rates) == pytest.approx(100.0)


def test_a_lone_client_probes_and_sends():
    """ one client: it is the probe, and it sends all of the load """
    load = Load(clients=1, rate=10.0)
    planned = shares(load, Spread(workers=2, probes=20), Target('::1', 9000), 5.0)
    assert len(planned) == 1
    assert planned[0].probe and planned[0].sends
    assert planned[0].load.rate == 10.0


def test_the_flight_grows_on_prompt_acks_and_halves_on_late_ones():
    """ +1 per prompt ack in slow start, +1/size after; halved once per round trip """
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
