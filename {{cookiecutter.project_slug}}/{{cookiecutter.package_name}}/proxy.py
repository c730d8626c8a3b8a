"""Behind a reverse proxy: whose X-Forwarded-* headers the server believes.

A proxy that terminates TLS (nginx, say) talks plain http to the server and
tells it in headers who the client is (``X-Real-Ip``, ``X-Forwarded-For``) and
how the client came in (``X-Scheme``, ``X-Forwarded-Proto``). With
``--xheaders`` the server takes them, so that ``request.remote_ip`` is the
client's address and ``request.protocol`` is ``https`` (and the login cookie
gets ``Secure``), but only on connections from ``--trusted_proxies``: anyone
else who reaches the port could claim any address and scheme. Without
``--xheaders`` nobody's headers are believed.
"""

import ipaddress
from collections.abc import Iterable
from typing import Any, Final, TypeAlias

from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPConnection, HTTPMessageDelegate
from tornado.options import OptionParser

LOOPBACK: Final = ['127.0.0.1', '::1']
Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
# a socket's peer: (host, port) for IPv4, (host, port, flowinfo, scope_id) for IPv6
SocketAddress: TypeAlias = tuple[str, int] | tuple[str, int, int, int]


def networks(addresses: Iterable[str]) -> tuple[Network, ...]:
    """the networks of addresses such as ``127.0.0.1`` or ``172.16.0.0/12``;
    SystemExit (one line, no traceback) names one that is neither"""
    try:
        return tuple(ipaddress.ip_network(address.strip()) for address in addresses)
    except ValueError as error:
        raise SystemExit(
            f'error: --trusted_proxies: {error} (give addresses or networks, '
            'e.g. 127.0.0.1,10.0.0.0/8)'
        ) from error


def trusted_proxies(options: OptionParser) -> tuple[Network, ...]:
    """the networks whose forwarded headers the server believes: none
    without --xheaders, else those of --trusted_proxies"""
    return networks(options.trusted_proxies) if options.xheaders else ()


class ProxiedHTTPServer(HTTPServer):
    """an HTTPServer that applies the forwarded headers (Tornado's xheaders)
    of connections from trusted proxies only; none are trusted by default"""

    # Tornado configures an HTTPServer in initialize(), not in __init__()
    proxies: tuple[Network, ...] = ()
    xheaders = False

    def initialize(
        self, *args: Any, proxies: Iterable[Network] = (), **kwargs: Any
    ) -> None:
        """HTTPServer's arguments, and the networks of the trusted proxies"""
        super().initialize(*args, **kwargs)
        self.proxies = tuple(proxies)

    def trusts(self, address: SocketAddress) -> bool:
        """is the peer at address (a socket address) a trusted proxy?"""
        peer = ipaddress.ip_address(address[0])
        return any(peer in network for network in self.proxies)

    def start_request(
        self, server_conn: object, request_conn: HTTPConnection
    ) -> HTTPMessageDelegate:
        """Tornado's request, with xheaders for a trusted proxy only"""
        # Tornado reads xheaders right here, once per request; HTTPServer's
        # connections are HTTP1Connections, whose context holds the address
        self.xheaders = self.trusts(request_conn.context.address)  # type: ignore[attr-defined]
        return super().start_request(server_conn, request_conn)
