"""The client's address: `REMOTE_ADDR`, unless the request comes from a trusted proxy, in which
case the right-most `X-Forwarded-For` entry that is not itself a trusted proxy. A client cannot
choose its address (and dodge the throttle) by sending the header itself."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from pyramid.request import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class ClientAddress:
    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted: tuple[Network, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in trusted_proxies)

    def _is_trusted(self, text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in network for network in self._trusted)

    def __call__(self, request: Request) -> str:
        remote = request.environ.get("REMOTE_ADDR", "") or "unknown"
        if not self._trusted or not self._is_trusted(remote):
            return str(remote)
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop if _address(hop) is not None else str(remote)
        return str(remote)


def includeme(config: Any) -> None:
    trusted = config.registry.settings.get("wiwebb.trusted_proxies", ())
    config.add_request_method(ClientAddress(trusted), "client_ip", reify=True)
