"""Work the server repeats in the background: a daemon thread per task (the cleanup, and the mail
worker in mail.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from wiwebb.domain.housekeeping import CleanupReport, Housekeeping, check_cleanup

log = logging.getLogger("wiwebb.cleanup")


class PeriodicTask:
    """A daemon thread that runs `work` every `interval`, the first time one interval after
    `start`, and at once when woken (`wake`). A failing run (e.g. the database is down) is logged
    at `failure_level` and tried again next interval; the thread never dies of it. `stop` ends it
    promptly, also between the batches of a run (`work` is handed a function that says whether to
    keep going)."""

    def __init__(self, work: Callable[[Callable[[], bool]], object], interval: timedelta, *, name: str,
                 logger: logging.Logger, failure_level: int = logging.ERROR) -> None:
        if interval <= timedelta(0):
            raise ValueError(f"the interval must be positive, got {interval}")
        self._work = work
        self._interval = interval.total_seconds()
        self._name = name
        self._log = logger
        self._failure_level = failure_level
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread; refused while a stopped one is still finishing its run (clearing the
        stop flag would revive it, and two threads would run)."""
        if self.running:
            if self._stop.is_set():
                raise RuntimeError(f"{self._name} is still stopping; start it again once stop() returns True")
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run now rather than at the end of the interval (once, however often it is woken meanwhile)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ask the thread to stop and wait up to `timeout` seconds; whether it has ended (`running`
        stays true, and the thread keeps its stop flag, while it has not)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return False
            self._thread = None
        self._wake.clear()  # the stop's own wake-up: a later start() waits its interval again
        return True

    def _keep_going(self) -> bool:
        return not self._stop.is_set()

    def _run(self) -> None:
        while True:
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self._work(self._keep_going)
            except Exception:  # noqa: BLE001 - any failure (e.g. the database is down): try again next interval
                self._log.log(self._failure_level, "%s failed; trying again in %gs", self._name, self._interval,
                              exc_info=True)


def cleanup_task(housekeeping: Housekeeping, *, age: timedelta, batch_size: int,
                 interval: timedelta) -> PeriodicTask:
    """The server's cleanup every `interval`, logging what it removed (one INFO line from
    `wiwebb.cleanup`, when it removed something). `CleanupRefused` at once for an age or batch
    size the cleanup refuses, so the server does not start with a cleanup that fails every time."""
    check_cleanup(age, batch_size)

    def work(keep_going: Callable[[], bool]) -> CleanupReport:
        report = housekeeping.cleanup(age, batch_size, keep_going=keep_going)
        if report.removed:
            log.info("%s", report.summary())
        return report

    return PeriodicTask(work, interval, name="wiwebb-cleanup", logger=log)
