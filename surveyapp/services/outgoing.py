"""Outgoing HTTP requests (webhooks, and any request the service makes on its own), only
where they may go, and never for longer than their deadline.

A destination's host is resolved, and refused when any of its addresses is not a public
one (loopback, private, link-local, multicast, unspecified, reserved; IPv4-mapped,
6to4, Teredo and NAT64 IPv6 addresses are judged by the IPv4 address inside). The
resolver reads every numeric spelling (``127.1``, ``0x7f000001``, ``2130706433``) as
the address it means. The request is then sent to an address that was checked, never
resolved again (no DNS rebinding between the check and the connection), with the host's
name in ``Host`` and in TLS. Redirects are never followed: a 3xx is a failed attempt.
Every attempt has a connect timeout and a total deadline; a receiver that drips its
answer is cut off at the deadline.

The operator's setting ``OUTGOING_ALLOWED_HOSTS`` names the internal hosts that may be
reached anyway (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import ipaddress
import socket
import ssl
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from surveyapp.domain.errors import Invalid
from surveyapp.domain.i18n import N_, Message, message

CONNECT_SECONDS = 5
TOTAL_SECONDS = 10
MAX_URL = 2000

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class NotAllowed(Invalid):
    """An address outgoing requests may not go to; the message says why, in words."""

    code = "address_not_allowed"


@dataclass(frozen=True)
class Destination:
    """Where a request goes: the URL's parts, and the checked addresses to connect to."""

    scheme: str
    host: str
    port: int
    target: str  # the path and query, as sent in the request line
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What became of an attempt: its HTTP status (None without an answer) and, when it
    failed, why (a Message, said in the reader's language)."""

    status: int | None
    error: Message | None
    body: bytes = b""  # what came back, when asked for (:func:`request`'s ``read``)

    @property
    def ok(self) -> bool:
        return self.error is None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether requests may go to ``address``: a global unicast address, judged by the
    IPv4 address inside an IPv6 one that carries one."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return _is_public(inner)
    return address.is_global and not address.is_multicast


def destination(url: str, allowed_hosts: Collection[str] = ()) -> Destination:
    """``url`` checked and resolved; :class:`NotAllowed` says why it may not be reached."""
    if not isinstance(url, str) or len(url) > MAX_URL or not url.isprintable() or " " in url:
        raise NotAllowed(message(N_("not a web address (http or https)")))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotAllowed(message(N_("not a web address (http or https)")))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise NotAllowed(message(N_("the port is not a number from 1 to 65535"))) from None
    host = parts.hostname
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise NotAllowed(message(N_("%(host)s cannot be found (DNS)"), host=host)) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    if host.lower() not in {h.lower() for h in allowed_hosts}:
        for address in addresses:
            if not _is_public(ipaddress.ip_address(address.split("%")[0])):
                raise NotAllowed(
                    message(
                        N_(
                            "%(host)s is %(address)s, not a public address: the service "
                            "sends nothing there unless the operator allows it "
                            "(OUTGOING_ALLOWED_HOSTS)"
                        ),
                        host=host,
                        address=address,
                    )
                )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port, target, addresses)


def allowed_hosts(config: Mapping) -> tuple[str, ...]:
    """The operator's OUTGOING_ALLOWED_HOSTS: a list of host names (or one, as text)."""
    hosts = config.get("OUTGOING_ALLOWED_HOSTS") or ()
    return (hosts,) if isinstance(hosts, str) else tuple(str(h) for h in hosts)


@functools.cache
def _tls() -> ssl.SSLContext:
    """The system's certificates, read once per process (each read costs milliseconds)."""
    return ssl.create_default_context()


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to the checked addresses, wrapped in TLS for https, the host's
    name kept for ``Host`` and TLS (HTTPSConnection's own ``connect`` would resolve the
    name again)."""

    def __init__(self, where: Destination):
        super().__init__(where.host, where.port, timeout=CONNECT_SECONDS)
        self._addresses, self._secure = where.addresses, where.scheme == "https"
        self.default_port = 443 if self._secure else 80  # Host: without its default port

    def connect(self) -> None:
        for number, address in enumerate(self._addresses, 1):
            try:
                sock = socket.create_connection((address, self.port), CONNECT_SECONDS)
                break
            except OSError:
                if number == len(self._addresses):
                    raise
        self.sock = _tls().wrap_socket(sock, server_hostname=self.host) if self._secure else sock


def post(where: Destination, body: bytes, headers: Mapping[str, str]) -> Outcome:
    """POST ``body`` to a checked destination, within TOTAL_SECONDS in all."""
    return request(where, "POST", body, headers)


def request(
    where: Destination,
    method: str,
    body: bytes | None,
    headers: Mapping[str, str],
    *,
    read: int = 0,
) -> Outcome:
    """Send a request to a checked destination, within TOTAL_SECONDS in all; with
    ``read``, keep the answer's body, of at most that many bytes (a longer one is a
    failed attempt, never read into memory)."""
    connection = _Pinned(where)
    # The deadline: a receiver that answers a byte at a time is cut off, not waited for
    # (and what it sent by then is no answer, even if it reads as one).
    cut = threading.Event()
    cutoff = threading.Timer(TOTAL_SECONDS, _cut, (connection, cut))
    cutoff.daemon = True
    cutoff.start()
    kept = b""
    try:
        connection.request(method, where.target, body=body, headers=dict(headers))
        answer = connection.getresponse()
        status = answer.status
        if read and 200 <= status < 300:
            kept = answer.read(read + 1)
    except (http.client.HTTPException, OSError) as exc:
        return Outcome(None, _failure(exc, cut.is_set()))
    finally:
        cutoff.cancel()
        connection.close()
    if cut.is_set():
        return Outcome(None, _failure(TimeoutError(), True))
    if 300 <= status < 400:
        why = N_("redirected (HTTP %(status)s): redirects are not followed")
        return Outcome(status, message(why, status=status))
    if not 200 <= status < 300:
        return Outcome(status, message(N_("the receiver answered HTTP %(status)s"), status=status))
    if len(kept) > read:
        why = N_("the answer is longer than %(size)s")
        return Outcome(status, message(why, size=f"{read // 1024} KB"))
    return Outcome(status, None, kept)


def _failure(exc: Exception, cut: bool) -> Message:
    """Why an attempt got no HTTP answer, in words."""
    if isinstance(exc, TimeoutError) or cut:
        return message(N_("no answer within %(seconds)s seconds"), seconds=TOTAL_SECONDS)
    if isinstance(exc, ssl.SSLError):
        return message(N_("the secure connection failed: %(error)s"), error=exc.reason or str(exc))
    if isinstance(exc, http.client.HTTPException):
        return message(N_("the receiver did not answer in HTTP"))
    if isinstance(exc, ConnectionRefusedError):
        return message(N_("the connection was refused: nothing listens at that address"))
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return message(N_("the receiver closed the connection before answering"))
    return message(N_("could not connect: %(error)s"), error=exc.strerror or str(exc))


def _cut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: the attempt ended on its own
            sock.shutdown(socket.SHUT_RDWR)
