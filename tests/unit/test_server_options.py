"""`wiwebb serve`'s waitress options: the ini file's [server:main], on HOST:PORT, each checked."""

from __future__ import annotations

import contextlib
import weakref
from pathlib import Path

import pytest
from waitress.adjustments import Adjustments

from wiwebb.entrypoints import serving
from wiwebb.entrypoints.serving import ServerConfigError, read_server_section, waitress_options

ROOT = Path(__file__).resolve().parents[2]


def test_production_ini_is_tuned_for_production_behind_a_tls_proxy():
    options = waitress_options(read_server_section(str(ROOT / "production.ini")), "127.0.0.1", 8123)
    adjustments = Adjustments(**options)
    assert (adjustments.host, adjustments.port) == ("127.0.0.1", 8123)  # HOST and PORT, not `listen`
    assert adjustments.threads == 8 and adjustments.connection_limit == 200
    assert adjustments.channel_timeout == 60 and adjustments.max_request_body_size == 10485760
    assert adjustments.url_scheme == "https"
    assert adjustments.trusted_proxy == "*" and adjustments.trusted_proxy_headers == {"x-forwarded-proto"}
    # X-Forwarded-For is the app's (TRUSTED_PROXIES): waitress must neither use it nor delete it.
    assert adjustments.clear_untrusted_proxy_headers is False


def test_development_ini_lets_x_forwarded_for_through_too():
    options = waitress_options(read_server_section(str(ROOT / "development.ini")), "0.0.0.0", 8000)
    assert options["clear_untrusted_proxy_headers"] == "false" and options["threads"] == "4"
    assert "listen" not in options and "use" not in options


def test_listen_options_give_way_to_host_and_port():
    section = {"use": "egg:waitress#main", "listen": "0.0.0.0:9999", "host": "example.com", "port": "1",
               "threads": "3", "here": "/somewhere", "__file__": "/somewhere/x.ini"}
    assert waitress_options(section, "127.0.0.1", 8000) == {"threads": "3", "host": "127.0.0.1", "port": 8000}


def test_no_section_means_waitress_defaults():
    assert waitress_options({}, "127.0.0.1", 8000) == {"host": "127.0.0.1", "port": 8000}


def test_an_ini_without_a_server_section_reads_as_empty(tmp_path):
    ini = tmp_path / "bare.ini"
    ini.write_text("[app:main]\nuse = egg:wiwebb\n")
    assert read_server_section(str(ini)) == {}


@pytest.mark.parametrize(("section", "message"), [
    ({"threads": "many"}, "[server:main] threads: invalid value 'many'"),
    ({"thread": "8"}, "[server:main] thread: not a waitress option"),
    ({"use": "egg:gunicorn#main"}, "[server:main] use = egg:gunicorn#main: `wiwebb serve` runs waitress"),
    ({"trusted_proxy_headers": "x-forwarded-for"}, "[server:main]: trusted_proxy_headers has no meaning"),
    ({"trusted_proxy": "10.0.0.1"}, "[server:main]: No proxy headers were marked as trusted"),
    ({"trusted_proxy": "*", "trusted_proxy_headers": "x-forwarded-nonsense"},
     "[server:main]: Received unknown trusted_proxy_headers value"),
])
def test_a_bad_option_is_named_in_one_line(section, message):
    with pytest.raises(ServerConfigError) as caught:
        waitress_options(section, "127.0.0.1", 8000)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_an_address_that_cannot_be_listened_on_names_host():
    with pytest.raises(ServerConfigError, match=r"^HOST: cannot listen on no-such-host\.invalid:8000"):
        waitress_options({}, "no-such-host.invalid", 8000)


def test_start_up_objects_are_frozen_out_of_the_cycle_collector_and_its_garbage_collected():
    import gc

    class Cycle:
        pass

    left = Cycle()
    left.me = left  # start-up garbage: collected, not frozen
    ref = weakref.ref(left)
    del left
    kept = [Cycle()]  # lives on: frozen
    try:
        serving.freeze_startup_objects()
        assert ref() is None
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # the permanent generation is not listed
    finally:
        gc.unfreeze()


def test_serving_freezes_the_start_up_objects_before_the_first_request(monkeypatch):
    calls: list[str] = []

    class Server:
        def __init__(self, server, grace):  # type: ignore[no-untyped-def]
            calls.append("server")

        @contextlib.contextmanager
        def signals(self):  # type: ignore[no-untyped-def]
            yield

        def serve(self) -> int:
            calls.append("serve")
            return 0

        stopping_since = 0.0

    monkeypatch.setattr(serving, "freeze_startup_objects", lambda: calls.append("freeze"))
    monkeypatch.setattr(serving, "GracefulServer", Server)
    monkeypatch.setattr(serving, "stop_background_work", lambda app: calls.append("stop"))
    serving.serve_until_stopped(object(), object())
    assert calls == ["freeze", "server", "serve", "stop"]
