"""``python -m loadtest`` (``inv loadtest``): load the chat server, print figures.

Starts the app on a free loopback port (and the baseline, a per-client
``write_message`` loop, with ``--baseline``; the near-free calibration server
with ``--calibrate``), connects N clients from worker processes, sends for a
fixed time and prints deliveries/s, send-to-receive latency and the server's
CPU and memory, as a table and, with ``--json FILE``, as JSON. The clients
speak the chat's JSON-RPC 2.0: each joins a room (``--rooms``: general, room-1,
... in turn) and sends to it. It stops by itself and only ever targets
loopback.
"""

import argparse
import json
import os
import sys
from typing import Any

from . import report
from .bake import ANSWERS
from .report import Row
from .runner import Spread, Timing, measure, sources
from .server import Server, parse_url, serving
from .worker import Load, raise_nofile

SATURATED = 90  # % of a core: a generator process this busy may be the limit
MOST_ROOMS = 1000  # the app's --max_rooms: the rooms it holds at most


def clients_list(text: str) -> list[int]:
    """'100,1000' -> [100, 1000]"""
    values = [int(part) for part in text.split(',') if part.strip()]
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError('expected N or N,N,... (each at least 1)')
    return values


def rate_value(text: str) -> float:
    """'max' -> 0 (closed loop); otherwise messages/s, above 0"""
    if text == 'max':
        return 0.0
    if float(text) <= 0:
        raise argparse.ArgumentTypeError('expected messages/s above 0, or max')
    return float(text)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """the command line"""
    parser = argparse.ArgumentParser(
        prog='python -m loadtest',
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add('--clients', type=clients_list, default=[1000], help='N, or N,N,... to sweep')
    add('--rate', type=rate_value, default=20.0, help='messages/s sent in all, or max')
    add('--deliveries', type=float, help='instead of --rate: deliveries/s at every N')
    add(
        '--rooms',
        type=int,
        default=1,
        help='rooms the clients are spread over in turn: general, room-1, ...',
    )
    add('--duration', type=float, default=10.0, help='seconds measured')
    add('--size', type=int, default=100, help='characters of text per message')
    add('--json', metavar='FILE', help='also write the figures to FILE as JSON')
    add('--baseline', action='store_true', help='also run the baseline handler')
    add('--calibrate', action='store_true', help='also run a near-free server')
    add('--url', help='load a running server (ws://127.0.0.1:PORT/ws) instead')
    add('--pid', type=int, help='with --url: the server process, for CPU and RSS')
    add('--cookie', default='', help='Cookie header of every client (a login)')
    add('--options', default='', help="the app's own options, e.g. --processes=2")
    add('--workers', type=int, default=os.cpu_count(), help='generator processes')
    add('--warmup', type=float, default=1.0, help='seconds sent before measuring')
    add('--max-latency', type=float, default=250, help='rate max: ms an ack may take')
    add(
        '--probes',
        type=int,
        default=20,
        help='clients that measure latency (and one per room, when N allows)',
    )
    add('--per-client', type=float, default=10.0, help='most messages/s per client')
    add('--drain', type=float, default=5.0, help='longest wait for the last frames')
    add(
        '--per-source', type=int, default=0, help='clients per source address (0: auto)'
    )
    args = parser.parse_args(argv)
    if not 32 <= args.size <= 2000:
        parser.error('--size must be 32 to 2000 characters')
    if not 1 <= args.rooms <= min(MOST_ROOMS, *args.clients):
        parser.error(
            f'--rooms must be 1 to {MOST_ROOMS} and at most the least --clients '
            '(every room needs a client)'
        )
    if args.url:
        try:
            parse_url(args.url)
        except ValueError as error:
            parser.error(str(error))
    return args


def targets(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    """(label, server kind or None for --url) of each server to load"""
    found: list[tuple[str, str | None]] = [
        ('url', None) if args.url else ('app', 'app')
    ]
    if args.baseline:
        found.append(('baseline', 'baseline'))
    if args.calibrate:
        found.append(('raw', 'raw'))
    return found


def run_one(label: str, kind: str | None, load: Load, args: argparse.Namespace) -> Row:
    """one row: load one server with N clients"""
    timing = Timing(args.duration, args.warmup, args.drain)
    spread = Spread(args.workers, args.probes, args.per_source)
    if kind is None:
        target = parse_url(args.url)._replace(cookie=args.cookie)
        observed = measure(load, timing, spread, target, args.pid)
        processes = serving(args.pid) if args.pid else None
    else:
        with Server(kind, args.options if kind == 'app' else '') as server:
            target = server.target._replace(cookie=args.cookie)
            observed = measure(load, timing, spread, target, server.pid)
            processes = serving(server.pid)
    row = report.summarize(label, load, timing, observed)
    spread_over = sources(target.host, load.clients, spread.per_source)
    row['generator']['source_addresses'] = len(spread_over) or 1
    if kind in (None, 'app'):
        row['bake'] = {**ANSWERS, 'processes': processes}
    if not row['connected']:
        errors = [answer[3] for answer in observed.answers if answer[3]]
        hint = ' (a login? see --cookie)' if '401' in str(errors) else ''
        raise RuntimeError(f'no client could connect to {label}: {errors[:1]}{hint}')
    return row


def notes(rows: list[Row], args: argparse.Namespace) -> list[str]:
    """what to keep in mind when reading the table"""
    found = []
    for row in rows:
        where = f'{row["server"]} at N={row["clients"]}'
        generator = row['generator']
        if generator['per_client_limited']:
            found.append(f'{where}: --per-client {args.per_client:g}/s capped sending')
        if max(generator['cpu_percent_each']) >= SATURATED:
            found.append(
                f'{where}: a generator process was busy: figures may be its limit'
            )
        probed = generator['probe_rooms']
        if probed < row['rooms']:
            found.append(
                f'{where}: latency measured in {probed} of {row["rooms"]} rooms '
                '(a room needs a probe and a sender: more clients, or --probes)'
            )
        if row['refused']:
            found.append(
                f'{where}: the server refused {row["refused"]} messages (an error '
                'answered their send: see the frames counted in the JSON)'
            )
        if row['undelivered']:
            found.append(
                f'{where}: {row["undelivered"]} deliveries had not arrived '
                f'{args.drain:g}s after the window (--drain)'
            )
    if (args.rate or args.deliveries) and args.baseline:
        found.append(
            'at a fixed --rate both servers deliver what is sent while they keep up: '
            '--rate max compares what they can sustain'
        )
    return found


def main(argv: list[str] | None = None) -> None:
    """run every server at every N; print the table; write the JSON"""
    args = parse_args(argv)
    # the server started here inherits the limit: it holds every connection
    raise_nofile(0 if args.url else max(args.clients))
    rows = []
    for clients in args.clients:
        # a message reaches the clients of its room: N / rooms of them
        rate = args.deliveries * args.rooms / clients if args.deliveries else args.rate
        load = Load(
            clients,
            rate,
            args.size,
            args.per_client,
            args.max_latency / 1e3,
            rooms=args.rooms,
        )
        for label, kind in targets(args):
            print(f'{label}: {clients} clients, {args.duration:g}s ...', flush=True)
            rows.append(run_one(label, kind, load, args))
    document = summary(rows, args)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as out:
            json.dump(document, out, indent=2)
            out.write('\n')
        print(f'figures written to {args.json}')


def summary(rows: list[Row], args: argparse.Namespace) -> dict[str, Any]:
    """print the bake, the table, the sweep, the ratios and the notes; the JSON"""
    print()
    print(
        f'bake: {report.bake_name(ANSWERS)} (loadtest/bake.py); '
        f'rooms: {args.rooms} ({report.rooms_name(args.rooms)}); {report.BAKE_LEGEND}'
    )
    print(report.table(rows))
    sweep = report.sweep(rows)
    for line in report.stored_lines(rows, ANSWERS) + report.sweep_lines(sweep):
        print(line)
    ratios = report.ratios(rows)
    for ratio in ratios:
        print(
            f'{ratio["server"]} / baseline at N={ratio["clients"]}: '
            f'{ratio["over_baseline"]:.2f}x the deliveries/s'
        )
    for note in notes(rows, args):
        print(f'note: {note}')
    config = {**vars(args), 'rate': args.rate or 'max', 'cpus': os.cpu_count()}
    return {
        'config': config,
        'bake': ANSWERS,
        'rows': rows,
        'ratios': ratios,
        'sweep': sweep,
    }


if __name__ == '__main__':
    try:
        main()
    except (RuntimeError, OSError) as failure:
        sys.exit(f'loadtest: {failure}')
