"""Moved: the live dual-stack demo (it opens sockets) is :mod:`cloudlab.web.dualstack`.

``cloudlab.net`` holds pure functions; the demo lives with the other live demos. Its
names stay importable from here, where the ``ipv4-and-ipv6`` chapter imports them
(PEP 562: the demo module loads only when one of them is asked for).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    from cloudlab.web import dualstack

    try:
        return getattr(dualstack, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
