"""The drawing deadline: stop a drawing that runs past `ATTACHMENT_DRAW_SECONDS`.

The budget (`drawing_budget.py`) refuses what is plainly too much before drawing; a long
document under every budget, or a stylesheet that makes each page expensive, can still draw
for long. `drawing_deadline` stops it; its docstring says where it can and cannot interrupt.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from .errors import AttachmentError


class DocumentTookTooLong(AttachmentError):
    """Drawing the document ran past `ATTACHMENT_DRAW_SECONDS`."""


class _DeadlinePassed(BaseException):
    """Raised by the alarm inside xhtml2pdf. A BaseException: xhtml2pdf and ReportLab catch
    `Exception` in places and would carry on drawing."""


@dataclass
class _Alarm:
    active: bool = True


def _can_use_alarm() -> bool:
    """Whether this thread may own SIGALRM: the main thread, on a platform with interval
    timers, with no one else's handler or timer in place."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        # None: a handler installed outside Python, which could not be put back.
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN)
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )


@contextmanager
def drawing_deadline(*, name: str, seconds: float | None = None) -> Iterator[None]:
    """Stop the drawing inside the block after `seconds` (`ATTACHMENT_DRAW_SECONDS`).

    Two mechanisms, as the process allows:

    * xhtml2pdf's own render limit (`max_render_seconds` of its resource policy, set by
      `rendering.html_to_pdf` to the same value): cooperative, checked between elements and
      flowables, in any thread; it does not reach the HTML parse or ReportLab's layout.
    * here, in the main thread (Celery's prefork children and solo pool, gunicorn's sync
      workers, the staff-preview child process): an interval timer whose SIGALRM interrupts
      the pure-Python drawing wherever it is, parse and layout included. Signals reach only
      the main thread; a thread (runserver, Celery's threads pool) keeps the cooperative
      limit and the budget `check_drawable` enforced before drawing.

    Raises `DocumentTookTooLong`. The timer is left as found: never armed over another
    handler or a running timer (then only the cooperative limit applies).
    """
    seconds = float(settings.ATTACHMENT_DRAW_SECONDS if seconds is None else seconds)
    too_long = DocumentTookTooLong(
        f"The document “{name}” took longer than {seconds:g} s to draw "
        "(ATTACHMENT_DRAW_SECONDS): shorten it, or simplify its tables and page rules."
    )
    if seconds <= 0 or not _can_use_alarm():
        yield
        return
    alarm = _Alarm()

    def interrupt(signum, frame):
        if not alarm.active:
            return
        # Again shortly, should a bare `except:` in the drawing swallow this one.
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        raise _DeadlinePassed

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    except _DeadlinePassed:
        raise too_long from None
    finally:
        # Disarmed even if the alarm fires again in here (the handler is a no-op once
        # `active` is off).
        while True:
            try:
                alarm.active = False
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                break
            except _DeadlinePassed:
                continue
