"""Which addresses the desk may post to (webhooks, chat and social replies): none may
reach into the desk's own network (loopback, private, link-local, ...) unless
WEBHOOK_ALLOW_PRIVATE=1."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from servicedesk.errors import Invalid
from servicedesk.settings import get_settings


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    # is_global is False for loopback, private, link-local, shared (100.64/10), reserved,
    # documentation and unspecified addresses, on both families.
    return ip.is_global and not ip.is_multicast


async def check_url(url: str, *, field: str = "url") -> None:
    """Raises Invalid unless `url` is http(s) with a host whose every address is public
    (or private addresses are allowed). The host is resolved, so a name pointing to
    127.0.0.1 is refused like the address itself."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("the URL must be http:// or https:// with a host", field=field)
    if parts.username or parts.password:
        raise Invalid("the URL must not carry credentials; use the secret", field=field)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Invalid(f"the URL's port is not valid: {exc}", field=field) from exc
    if get_settings().webhook_allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError) as exc:
        raise Invalid(f"the host {parts.hostname} does not resolve", field=field) from exc
    refused = sorted({str(info[4][0]) for info in infos if not _is_public(str(info[4][0]))})
    if refused:
        raise Invalid(
            f"the host {parts.hostname} is on a loopback, private or link-local network "
            f"({', '.join(refused)}); set WEBHOOK_ALLOW_PRIVATE=1 to allow it",
            field=field,
        )
