"""How `wiwebb serve` runs waitress: with the options of the ini file's `[server:main]` (threads,
connection limit, proxy headers... as `pserve` would), listening on the HOST and PORT settings.

The listen address is the one thing taken from the settings rather than the section, so that
`PORT=8001 wiwebb serve` (or a container's environment) moves the server without editing the ini.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from waitress.adjustments import Adjustments

SECTION = "server:main"
WAITRESS = ("egg:waitress#main", "egg:waitress")
# Where to listen: replaced by HOST and PORT.
LISTEN_OPTIONS = frozenset({"listen", "host", "port", "unix_socket", "unix_socket_perms", "sockets"})
# Keys PasteDeploy adds to every section.
PASTE_KEYS = frozenset({"use", "here", "__file__"})


class ServerConfigError(Exception):
    """The `[server:main]` section cannot run waitress; the message is one line naming the option."""


def read_server_section(ini_path: str) -> dict[str, str]:
    """The `[server:main]` options of the ini file, `%(here)s` and the like expanded; {} without one."""
    import plaster

    loader = plaster.get_loader(ini_path, protocols=["wsgi"])
    if SECTION not in loader.get_sections():
        return {}
    return {str(key): str(value) for key, value in loader.get_settings(SECTION).items()}


def waitress_options(section: Mapping[str, str], host: str, port: int) -> dict[str, Any]:
    """The keyword arguments of `waitress.create_server` for `section`, listening on host:port.
    Every option is checked here, so a bad one stops the command before the app is built."""
    use = section.get("use", WAITRESS[0]).strip()
    if use not in WAITRESS:
        raise ServerConfigError(f"[{SECTION}] use = {use}: `wiwebb serve` runs waitress (egg:waitress#main); "
                                "serve another server with pserve")
    options: dict[str, Any] = {key: value for key, value in section.items()
                               if key not in PASTE_KEYS | LISTEN_OPTIONS}
    casts = dict(Adjustments._params)
    for key, value in options.items():
        if key not in casts:
            raise ServerConfigError(f"[{SECTION}] {key}: not a waitress option (see waitress's Arguments "
                                    "documentation)")
        try:
            casts[key](value)
        except (ValueError, TypeError):
            raise ServerConfigError(f"[{SECTION}] {key}: invalid value {value!r}") from None
    options.update(host=host, port=port)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # waitress warns of trusted_proxy without trusted_proxy_headers
            Adjustments(**options)
    except (ValueError, Warning) as error:
        reason = str(error).splitlines()[0]
        if "host/port" in reason:
            raise ServerConfigError(f"HOST: cannot listen on {host}:{port} ({reason})") from None
        raise ServerConfigError(f"[{SECTION}]: {reason}") from None
    return options
