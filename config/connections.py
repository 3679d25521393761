"""Persistent database connections, only where the server reuses its threads and processes.

Django keeps a connection per thread for `CONN_MAX_AGE` seconds. That saves a connection
(~3 ms on PostgreSQL) per request or task where a fixed set of threads and processes serves
everything: gunicorn's sync and gthread workers, Celery workers. Where a new thread (runserver)
or task (ASGI) serves each request, every one of them keeps its own connection until PostgreSQL
refuses more (`FATAL: sorry, too many clients already` after ~100 requests on runserver).

So persistence is opt-in, on a positive list; anything else gets 0 (a connection per request):

- gunicorn: its arbiter puts `SERVER_SOFTWARE=gunicorn/<version>` in the process environment
  before it loads the application, so the settings see it in every worker. Not with an ASGI
  worker class (`config/asgi.py` marks the process) nor with gevent/eventlet workers, which
  serve each request in a new green thread;
- Celery workers: `persist_in_worker` on `celeryd_init` (config/celery.py), before the pool
  forks its processes. Celery's fix-up then keeps the connection between tasks
  (`CELERY_DB_REUSE_MAX`) and messaging/tasks.py checks it before each one.

A positive list rather than spotting `runserver` in `sys.argv`: an unknown server (uvicorn,
daphne, a WSGI server nobody tried) then costs a connection per request instead of exhausting
the database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Set by config/asgi.py before Django starts: the process serves ASGI.
ASGI_MARKER = "SEALPOST_ASGI"


def green_threads() -> bool:
    """Whether gevent or eventlet replaced threads (a green thread per request or task)."""
    gevent = sys.modules.get("gevent.monkey")
    eventlet = sys.modules.get("eventlet.patcher")
    return bool(
        (gevent and gevent.is_module_patched("threading"))
        or (eventlet and eventlet.is_monkey_patched("thread"))
    )


def server_reuses_threads(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this process serves requests from threads that outlive them (gunicorn, WSGI)."""
    return (
        environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/")
        and not environ.get(ASGI_MARKER)
        and not green_threads()
    )


def conn_max_age(persistent: int, environ: Mapping[str, str] = os.environ) -> int:
    """The `CONN_MAX_AGE` this process starts with: `persistent` where it is safe, else 0."""
    return persistent if server_reuses_threads(environ) else 0


def persist_in_worker(**kwargs) -> None:
    """`celeryd_init`: a Celery worker keeps its connections (`PERSISTENT_CONN_MAX_AGE`).

    Its pool's processes and threads serve task after task; a gevent/eventlet pool, which
    runs each task in a new green thread, keeps the default.
    """
    from django.conf import settings
    from django.db import connections

    if green_threads():
        return
    for alias in connections:
        # The very dict each connection reads `CONN_MAX_AGE` from when it connects.
        connections.settings[alias]["CONN_MAX_AGE"] = settings.PERSISTENT_CONN_MAX_AGE
