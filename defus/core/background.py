"""A tiny background runner: slow work (exports, reports) leaves the request at once.

One worker thread per process runs the jobs in order; that keeps the load of big exports off
the two or three cores a city's server has, and needs no broker. A job's own database
connection is closed when it ends (threads do not share Django's connections, and an idle
one left open would hold SQLite's file or a PostgreSQL slot).

The job runs at once in the calling thread instead when `settings.DEFUS_BACKGROUND_SYNC` is
true (tests: the data of a test transaction is invisible to another connection) or inside
`synchronous()` (the command line, which should wait for its result).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)
Result = TypeVar("Result")

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="defus-background")
_synchronous: ContextVar[bool] = ContextVar("defus_background_synchronous", default=False)


def is_synchronous() -> bool:
    return bool(getattr(settings, "DEFUS_BACKGROUND_SYNC", False)) or _synchronous.get()


@contextmanager
def synchronous() -> Iterator[None]:
    """Within this block, `run_in_background` runs jobs at once (for the command line)."""
    token = _synchronous.set(True)
    try:
        yield
    finally:
        _synchronous.reset(token)


def run_in_background(function: Callable[..., Result], *args: Any, **kwargs: Any) -> Future[Any]:
    """Run `function(*args, **kwargs)` in the worker thread; the returned future is done when
    it has run. Exceptions are logged (nobody may be waiting for the future)."""
    if is_synchronous():
        done: Future[Any] = Future()
        try:
            done.set_result(function(*args, **kwargs))
        except Exception as exc:
            logger.exception("background job %s failed", getattr(function, "__name__", function))
            done.set_exception(exc)
        return done
    return _executor.submit(_run_and_close, function, args, kwargs)


def _run_and_close(function: Callable[..., Result], args: Any, kwargs: Any) -> Result:
    try:
        return function(*args, **kwargs)
    except Exception:
        logger.exception("background job %s failed", getattr(function, "__name__", function))
        raise
    finally:
        connections.close_all()
