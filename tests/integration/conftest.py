import pytest

from .localstripe_server import running_localstripe


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """A real localstripe on a free port, for the whole test session."""
    with running_localstripe(tmp_path_factory.mktemp("localstripe")) as server:
        yield server
