"""gunicorn settings for the Flask lab, read from environment variables.

Run from this folder:  gunicorn -c gunicorn.conf.py

PORT             TCP port (default 5000)
WEB_CONCURRENCY  worker processes (default 2)
BIND_ALL         1 = all interfaces of both families (the Docker image sets it);
                 unset/0 = loopback only, http://127.0.0.1:PORT and http://[::1]:PORT
ACCESS_LOG       1 (default) = one line per request on stdout, 0 = none

The app's own variables (APP_ENV, SECRET_KEY, TRUSTED_PROXY_HOPS, COLOR, VERSION, ...) are
checked here first, so a bad setting stops the server with one line instead of a traceback.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # find flask_app from any directory

from flask_app.serving import choose_binds, ipv6_available, v6only_default
from flask_app.settings import ConfigError, env_int, load_settings, truthy

try:
    load_settings(os.environ)
    port = env_int("PORT", os.environ, 5000, 1, 65535)
    workers = env_int("WEB_CONCURRENCY", os.environ, 2, 1, 64)
    bind_all = truthy("BIND_ALL", os.environ)
    access_log = truthy("ACCESS_LOG", os.environ, default=True)
except ConfigError as error:
    sys.exit(f"flask_app: {error}")

wsgi_app = "flask_app:create_app()"
bind = choose_binds(
    port,
    bind_all=bind_all,
    ipv6=ipv6_available("::" if bind_all else "::1"),
    v6only=v6only_default(),
)

# Create the app once in the master and fork the workers from it: a development
# SECRET_KEY generated at start-up is then the same in every worker.
preload_app = True
# Threads, not processes, wait for slow clients, and each request has READ_SECONDS to
# arrive (flask_app/worker.py): a few slow sockets cannot make the app unreachable.
# More threads: GUNICORN_CMD_ARGS="--threads 16". See the README, "Slow clients".
worker_class = "flask_app.worker.ThreadWorker"
threads = 4
timeout = 30
graceful_timeout = 10

# gunicorn 25+ opens a control socket under $HOME or $XDG_RUNTIME_DIR by default.
control_socket_disable = True

# Proxies are handled by the app (ProxyFix with TRUSTED_PROXY_HOPS), not by gunicorn, which
# would otherwise believe X-Forwarded-Proto from 127.0.0.1 and ::1.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

accesslog = "-" if access_log else None
errorlog = "-"

# Heartbeat files on a RAM disk: an overlay filesystem in a container can stall them.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
