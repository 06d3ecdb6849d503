"""Run a lab's AWS steps in order; on any failure, undo what was made and say where, in one line.

The network build, the service deployment and the EKS step share this shape: each step
records the ids it creates as soon as AWS returns them, so that ``undo`` (the lab's
teardown) can always delete exactly what exists. A reader is never left with half a
deployment and a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cloudlab.aws.session import Connection


def first_line(error: BaseException) -> str:
    """The first line of an error's message (or its type's name when it has none)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def run_steps(
    conn: Connection,
    steps: Iterable[tuple[str, Callable[[], object]]],
    *,
    undo: Callable[[], object],
    error: type[Exception],
    what: str,
) -> None:
    """Run ``steps`` in order; if one fails, run ``undo`` and raise ``error`` in one line.

    Parameters
    ----------
    conn
        Where progress lines are printed (``conn.out``).
    steps
        ``(label, step)`` pairs; ``label`` reads after "failed at step", e.g. "create the VPC".
    undo
        Deletes whatever the steps so far created (idempotent teardown).
    error
        The exception class raised on failure; the original error is its ``__cause__``.
    what
        The whole job, e.g. ``"building plan 'book'"``.

    Raises
    ------
    error
        A step failed (after ``undo`` ran). KeyboardInterrupt and other non-``Exception``
        errors are re-raised as they are, after ``undo``.
    """
    for label, step in steps:
        try:
            step()
        except BaseException as failure:
            conn.say(f"Failed to {label}: {first_line(failure)}. Deleting what was created…")
            extra = ""
            try:
                undo()
            except Exception as cleanup:
                extra = f"; cleaning up also failed ({first_line(cleanup)}): run leftovers()"
            if not isinstance(failure, Exception):  # KeyboardInterrupt and the like
                raise
            done = "everything it had created was deleted" if not extra else "cleanup incomplete"
            raise error(
                f"{what} failed at step '{label}' "
                f"({type(failure).__name__}: {first_line(failure)}); {done}{extra}"
            ) from failure
