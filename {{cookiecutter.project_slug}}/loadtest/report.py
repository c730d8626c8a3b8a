"""The figures of a run: one row per server and N, a table, the ratios.

A message reaches the clients of its room, so what is due is counted room by
room: the messages sent to a room times the clients connected in it.
"""

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from .runner import Observed, Timing
from .worker import Load, Result
from .wsclient import KINDS, MESSAGE, room_name

# a row of figures, or one of the sweep: a JSON-ready dict
Row: TypeAlias = dict[str, Any]

LIMITED = 0.9  # sending at this share of --per-client times the senders: capped
FLAT = 2.0  # a figure that varies less than this over a sweep is flat
BAKE_LEGEND = 'bake column: database/auth/broker x server processes'
STORING = ('app', 'url')  # the servers that run the project's own code

COLUMNS = (
    ('server', 'server', '{}'),
    ('bake', 'bake', '{}'),
    ('clients', 'N', '{}'),
    ('sent_per_s', 'sent/s', '{:.0f}'),
    ('deliveries_per_s', 'deliveries/s', '{:.0f}'),
    ('delivered_percent', 'of sent', '{:.1f}%'),
    ('p50', 'p50 ms', '{:.1f}'),
    ('p99', 'p99 ms', '{:.1f}'),
    ('rss_per_idle_client_kb', 'KB/idle conn', '{:.1f}'),
    ('cpu_percent', 'server CPU', '{:.0f}%'),
    ('cpu_us_per_delivery', 'us/delivery', '{:.2f}'),
    ('generator_cpu_percent', 'load CPU', '{:.0f}%'),
)


def percentile(ordered: Sequence[int], fraction: float) -> int | None:
    """the nearest-rank percentile of an ordered list (None when empty)"""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def latency(samples_ns: list[int]) -> dict[str, float | None]:
    """p50, p90, p99 and max of the latencies, in ms"""
    ordered = sorted(samples_ns)
    figures: dict[str, float | None] = {'samples': len(ordered)}
    for name, fraction in (('p50', 0.5), ('p90', 0.9), ('p99', 0.99), ('max', 1.0)):
        value = percentile(ordered, fraction)
        figures[name] = None if value is None else round(value / 1e6, 3)
    return figures


def total(results: list[Result], key: str) -> Any:
    """the sum of one figure over the workers"""
    return sum(result[key] for result in results)


def columns(results: list[Result], key: str) -> list[Any]:
    """the sums, room by room (or kind by kind), of one list of the workers"""
    return [sum(column) for column in zip(*(r[key] for r in results), strict=True)]


def due(sent: Sequence[int], clients: Sequence[int]) -> int:
    """the deliveries sent[room] messages owe to clients[room] clients each"""
    return sum(each * there for each, there in zip(sent, clients, strict=True))


def summarize(server: str, load: Load, timing: Timing, observed: Observed) -> Row:
    """one row of figures (a JSON-ready dict) from a run's observations"""
    results = observed.results
    connected = total(results, 'connected')
    in_rooms = columns(results, 'connected_rooms')
    window = columns(results, 'window_counts')
    refused = columns(results, 'refused_rooms')
    taken = [
        sent - refused
        for sent, refused in zip(columns(results, 'sent_rooms'), refused, strict=True)
    ]
    expected = due(taken, in_rooms)
    sent_window = total(results, 'sent_window')
    offered = due(columns(results, 'sent_window_rooms'), in_rooms)
    deliveries = window[MESSAGE]
    return {
        'server': server,
        'clients': load.clients,
        'connected': connected,
        'failed': sum(answer[2] for answer in observed.answers),
        'rooms': load.rooms,
        'clients_per_room': [min(in_rooms), max(in_rooms)],
        'rate': load.rate or 'max',
        'duration_s': timing.duration,
        'size': load.size,
        'sent': sent_window,
        'sent_per_s': sent_window / timing.duration,
        'offered_per_s': offered / timing.duration,
        'deliveries': deliveries,
        'deliveries_per_s': deliveries / timing.duration,
        'delivered_percent': percent(deliveries, offered),
        'refused': sum(refused),
        'undelivered': max(0, expected - total(results, 'received')),
        'frames': dict(zip(KINDS, window, strict=True)),
        'latency_ms': latency([ns for r in results for ns in r['latencies_ns']]),
        'server_process': server_figures(
            observed, connected, deliveries, timing.duration
        ),
        'generator': {
            'workers': len(results),
            'cpu_percent': percent(total(results, 'cpu_s'), timing.duration),
            'cpu_percent_each': [
                percent(result['cpu_s'], timing.duration) for result in results
            ],
            'senders': total(results, 'senders'),
            'per_client_limited': capped(sent_window, load, timing, results),
            'closed_early': total(results, 'closed'),
            'given_up': total(results, 'given_up'),
            'in_flight_at_end': total(results, 'in_flight'),
            'probe_rooms': total(results, 'probe_rooms'),
        },
    }


def capped(sent: int, load: Load, timing: Timing, results: list[Result]) -> bool:
    """did the per-client limit bound the sending (near limit x senders)?"""
    most = load.per_client * total(results, 'senders') * timing.duration
    return bool(load.per_client) and sent >= LIMITED * most


def server_figures(
    observed: Observed, connected: int, deliveries: int, duration: float
) -> dict[str, Any]:
    """the server's memory and CPU, as far as they were measured"""
    readings = observed.readings
    figures = {'pid': observed.pid, **readings}
    if not observed.pid:
        return figures
    if connected:
        idle = readings['rss_idle_kb'] - readings['rss_start_kb']
        figures['rss_per_idle_client_kb'] = round(idle / connected, 2)
    figures['cpu_percent'] = percent(readings['cpu_s'], duration)
    if deliveries:
        figures['cpu_us_per_delivery'] = round(readings['cpu_s'] * 1e6 / deliveries, 3)
    return figures


def percent(part: float, whole: float) -> float | None:
    """part as a percentage of whole (None when whole is 0)"""
    return round(100 * part / whole, 1) if whole else None


def rooms_name(rooms: int) -> str:
    """'general'; 'general, room-1, room-2'; 'general, room-1 ... room-9'"""
    if rooms > 3:
        return f'general, room-1 ... {room_name(rooms - 1)}'
    return ', '.join(room_name(number) for number in range(rooms))


def bake_name(bake: Mapping[str, object]) -> str:
    """'sqlite/none/memory', and ' x2' for two server processes"""
    name = f'{bake["database"]}/{bake["auth"]}/{bake["broker"]}'
    processes = bake.get('processes')
    return f'{name} x{processes}' if processes else name


def cells(row: Row) -> list[str]:
    """the table cells of a row"""
    flat = {
        **row,
        'bake': bake_name(row['bake']) if row.get('bake') else None,
        **row['server_process'],
        'p50': row['latency_ms']['p50'],
        'p99': row['latency_ms']['p99'],
        'generator_cpu_percent': row['generator']['cpu_percent'],
    }
    return [
        '-' if flat.get(key) is None else form.format(flat[key])
        for key, _, form in COLUMNS
    ]


def table(rows: list[Row]) -> str:
    """the rows as an aligned text table"""
    lines = [[title for _, title, _ in COLUMNS]] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return '\n'.join(
        '  '.join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    )


def ratios(rows: list[Row]) -> list[Row]:
    """deliveries per second over the baseline's, for each N both ran at"""
    by_key = {(row['server'], row['clients']): row for row in rows}
    found = []
    for (server, clients), row in by_key.items():
        baseline = by_key.get(('baseline', clients))
        if server != 'baseline' and baseline and baseline['deliveries_per_s']:
            value = row['deliveries_per_s'] / baseline['deliveries_per_s']
            found.append({'server': server, 'clients': clients, 'over_baseline': value})
    return found


def stored_lines(rows: list[Row], bake: Mapping[str, object]) -> list[str]:
    """with a database, the messages stored a second: the app stores each one
    before anyone receives it, so what it took (sent/s) is what it stored"""
    if bake['database'] == 'none':
        return []
    return [
        f'{row["server"]} at N={row["clients"]}: {row["sent_per_s"]:,.0f} messages '
        f'stored a second ({bake["database"]}, each before it was delivered)'
        for row in rows
        if row['server'] in STORING
    ]


def sweep(rows: list[Row]) -> list[Row]:
    """per server loaded at several N: how its costs grow from the least N to
    the most (KB per idle connection, us per delivery: flat is good)"""
    found = []
    for server in dict.fromkeys(row['server'] for row in rows):
        ran = sorted(
            (row for row in rows if row['server'] == server), key=lambda r: r['clients']
        )
        if len(ran) < 2:
            continue
        costs = [row['server_process'].get('cpu_us_per_delivery') for row in ran]
        known = [cost for cost in costs if cost]
        spread = max(known) / min(known) if len(known) > 1 else None
        found.append(
            {
                'server': server,
                'clients': [row['clients'] for row in ran],
                'cpu_us_per_delivery': costs,
                'rss_per_idle_client_kb': [
                    row['server_process'].get('rss_per_idle_client_kb') for row in ran
                ],
                'cpu_spread': spread,
                'cpu_flat': None if spread is None else spread <= FLAT,
            }
        )
    return found


def sweep_lines(found: list[Row]) -> list[str]:
    """the sweep's figures as lines of text"""
    lines = []
    for each in found:
        server = each['server']
        for clients, kb, cost in zip(
            each['clients'],
            each['rss_per_idle_client_kb'],
            each['cpu_us_per_delivery'],
            strict=True,
        ):
            lines.append(
                f'{server} at N={clients}: {show(kb, "{:.1f}")} KB per idle connection, '
                f'{show(cost, "{:.2f}")} us of server CPU per delivery'
            )
        if each['cpu_spread'] is not None:
            verdict = 'flat' if each['cpu_flat'] else 'not flat'
            lines.append(
                f'{server}: us per delivery varies {each["cpu_spread"]:.2f}x from '
                f'N={each["clients"][0]} to N={each["clients"][-1]} '
                f'({verdict}: within {FLAT:g}x is flat)'
            )
    return lines


def show(value: float | None, form: str) -> str:
    """value formatted, or '-' when it was not measured"""
    return '-' if value is None else form.format(value)
