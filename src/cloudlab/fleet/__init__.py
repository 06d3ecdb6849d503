"""A real load balancer on the reader's machine: Caddy in front of copies of the lab app.

- :mod:`cloudlab.fleet.caddy`: Caddy's configuration (generated in Python) and process;
- :mod:`cloudlab.fleet.fleet`: :class:`Fleet`, the copies and Caddy started and stopped
  together;
- :mod:`cloudlab.fleet.load`: a bounded load generator (loopback only);
- :mod:`cloudlab.fleet.controllers`: the canary rollback and target tracking of
  :mod:`cloudlab.sim` driving a real fleet;
- :mod:`cloudlab.fleet.cli`: ``python -m cloudlab fleet ...``.
"""

from cloudlab.fleet.caddy import POLICIES, Passive, ProxyHealthCheck, caddy_config, copy_weights
from cloudlab.fleet.fleet import Copy, Fleet

__all__ = [
    "POLICIES",
    "Copy",
    "Fleet",
    "Passive",
    "ProxyHealthCheck",
    "caddy_config",
    "copy_weights",
]
