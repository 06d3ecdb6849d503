"""``python -m cloudlab fleet ...``: run a fleet in the foreground and act on it from another shell.

::

    python -m cloudlab fleet up --copies 3 --green 1 --port 8080     # until Ctrl-C / SIGTERM
    python -m cloudlab fleet status --port 8080 --json
    python -m cloudlab fleet weights --port 8080 blue=80 green=20
    python -m cloudlab fleet kill --port 8080 blue-1                  # a crash (SIGKILL)
    python -m cloudlab fleet stop --port 8080 blue-1                  # graceful (SIGTERM)
    python -m cloudlab fleet start --port 8080 blue-1
    python -m cloudlab fleet scale --port 8080 5
    python -m cloudlab fleet down --port 8080

``fleet up`` owns the copies. It keeps a small runtime folder,
``$TMPDIR/cloudlab-fleet-PORT/``, with a state file (its pid, Caddy's admin API) and a
Unix socket the other subcommands send one JSON line to; it removes the folder when it
stops. The proxy's port names the fleet. Bad input is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cloudlab.fleet.caddy import POLICIES, ProxyHealthCheck
from cloudlab.fleet.fleet import Fleet

__all__ = ["add_fleet_parser", "run_fleet", "runtime_dir"]

EXIT_USAGE = 2


def runtime_dir(port: int) -> Path:
    """The runtime folder of the fleet whose proxy listens on ``port``."""
    return Path(tempfile.gettempdir()) / f"cloudlab-fleet-{port}"


def _shares(pairs: list[str]) -> dict[str, int]:
    shares: dict[str, int] = {}
    for pair in pairs:
        color, sep, value = pair.partition("=")
        if not sep or not color:
            raise ValueError(f"{pair!r}: write COLOUR=PERCENT, e.g. blue=80 green=20")
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"{pair!r}: the weight must be a whole number") from None
        if number < 0:
            raise ValueError(f"{pair!r}: a weight cannot be negative")
        shares[color] = number
    if sum(shares.values()) != 100:
        raise ValueError(f"the weights must add up to 100, not {sum(shares.values())}")
    return shares


def add_fleet_parser(commands: Any) -> None:
    """Add ``fleet`` and its subcommands to the ``cloudlab`` parser."""
    fleet = commands.add_parser(
        "fleet",
        help="copies of the lab app behind a real load balancer (Caddy) on loopback",
        description="Run copies of the lab app behind Caddy, and act on them.",
    )
    sub = fleet.add_subparsers(dest="fleet_command", required=True, metavar="{up,status,...}")

    def port_arg(p: argparse.ArgumentParser, default: int | None = None) -> None:
        p.add_argument(
            "--port",
            type=int,
            default=default,
            required=default is None,
            help="the proxy's port (it names the fleet)",
        )

    up = sub.add_parser("up", help="run the fleet in the foreground until Ctrl-C or SIGTERM")
    port_arg(up, 8080)
    up.add_argument("--copies", type=int, default=3)
    up.add_argument("--green", type=int, default=1)
    up.add_argument("--policy", choices=POLICIES, default="round_robin")
    up.add_argument("--retries", type=int, default=2)
    up.add_argument("--interval", type=float, default=1.0, help="health check interval, s")
    up.add_argument("--healthy-threshold", type=int, default=2)
    up.add_argument("--unhealthy-threshold", type=int, default=2)
    status = sub.add_parser("status", help="the copies, weights and policy")
    port_arg(status)
    status.add_argument("--json", action="store_true", help="print one JSON object")
    weights = sub.add_parser("weights", help="percent per colour, e.g. blue=80 green=20")
    port_arg(weights)
    weights.add_argument("shares", nargs="+", metavar="COLOUR=PERCENT")
    for name, text in (
        ("kill", "crash a copy (SIGKILL)"),
        ("stop", "stop a copy gracefully (SIGTERM, it drains)"),
        ("start", "start a stopped or killed copy"),
    ):
        p = sub.add_parser(name, help=text)
        port_arg(p)
        p.add_argument("id", metavar="ID", help="a copy, e.g. blue-1")
    scale = sub.add_parser("scale", help="run N copies of the main colour")
    port_arg(scale)
    scale.add_argument("count", type=int, metavar="N")
    down = sub.add_parser("down", help="stop the fleet that `fleet up` runs")
    port_arg(down)


def _send(port: int, message: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
    folder = runtime_dir(port)
    path = folder / "control.sock"
    if not path.exists():
        raise ValueError(f"no fleet runs on port {port} (start one with: fleet up --port {port})")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except OSError:
            raise ValueError(f"the fleet on port {port} does not answer (did it crash?)") from None
        sock.sendall(json.dumps(message).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    answer = json.loads(data or b"{}")
    if "error" in answer:
        raise ValueError(answer["error"])
    return answer


def _handle(fleet: Fleet, message: dict[str, Any]) -> dict[str, Any]:
    op = message.get("op")
    if op == "status":
        return fleet.status()
    if op == "weights":
        fleet.set_weights(message["shares"])
        return fleet.status()
    if op in ("kill", "stop", "start"):
        {"kill": fleet.kill, "stop": fleet.stop_copy, "start": fleet.start_copy}[op](
            str(message["id"])
        )
        return fleet.status()
    if op == "scale":
        fleet.scale(int(message["count"]))
        return fleet.status()
    if op == "down":
        return {"down": True}
    raise ValueError(f"unknown request {op!r}")


class _Stop(Exception):
    pass


def _up(args: argparse.Namespace) -> int:
    folder = runtime_dir(args.port)
    if (folder / "control.sock").exists():
        try:
            _send(args.port, {"op": "status"}, timeout=2)
        except ValueError:
            shutil.rmtree(folder, ignore_errors=True)  # left by a fleet that was killed
        else:
            raise ValueError(f"a fleet already runs on port {args.port}")
    health = ProxyHealthCheck(
        interval_s=args.interval,
        timeout_s=min(0.5 * args.interval, 5.0),
        healthy_threshold=args.healthy_threshold,
        unhealthy_threshold=args.unhealthy_threshold,
    )
    fleet = Fleet(
        copies=args.copies,
        green=args.green,
        port=args.port,
        policy=args.policy,
        retries=args.retries,
        health=health,
    )

    def on_signal(signum: int, _frame: object) -> None:
        raise _Stop

    previous = signal.signal(signal.SIGTERM, on_signal)
    server: socket.socket | None = None
    try:
        fleet.start()
        folder.mkdir(mode=0o700)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(folder / "control.sock"))
        server.listen()
        server.settimeout(0.5)
        status = fleet.status()
        (folder / "state.json").write_text(
            json.dumps({"pid": os.getpid(), "port": fleet.port, "admin": status["admin"]})
        )
        print(f"fleet on {fleet.url}" + (f" and {fleet.url6}" if fleet.url6 else ""), flush=True)
        for row in status["copies"]:
            print(f"  {row['id']:8} {row['color']:5} port {row['port']} pid {row['pid']}")
        print(f"Ctrl-C stops it (or: python -m cloudlab fleet down --port {fleet.port})")
        while True:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(10)
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                try:
                    answer = _handle(fleet, json.loads(data))
                except (ValueError, RuntimeError, KeyError, TypeError) as error:
                    answer = {"error": str(error)}
                conn.sendall(json.dumps(answer).encode() + b"\n")
                if answer.get("down"):
                    break
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server is not None:
            server.close()
        fleet.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print("fleet stopped", flush=True)
    return 0


def _print_status(status: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(status, indent=2))
        return
    weights = ", ".join(f"{k} {v} %" for k, v in status["weights"].items())
    print(f"fleet on {status['url']}: policy {status['policy']}, weights {weights}")
    for row in status["copies"]:
        state = "healthy" if row["healthy"] else "unhealthy"
        running = "running" if row["running"] else "not running"
        print(f"  {row['id']:8} {row['color']:5} port {row['port']:5} {running:11} {state}")


def run_fleet(args: argparse.Namespace) -> int:
    """Run one ``fleet`` subcommand; ValueError/RuntimeError become one line, exit 2."""
    try:
        command = args.fleet_command
        if command == "up":
            return _up(args)
        if command == "status":
            _print_status(_send(args.port, {"op": "status"}), args.json)
        elif command == "weights":
            _print_status(
                _send(args.port, {"op": "weights", "shares": _shares(args.shares)}), False
            )
        elif command in ("kill", "stop", "start"):
            _print_status(_send(args.port, {"op": command, "id": args.id}), False)
        elif command == "scale":
            if args.count < 1:
                raise ValueError(f"the number of copies must be at least 1, not {args.count}")
            _print_status(_send(args.port, {"op": "scale", "count": args.count}), False)
        elif command == "down":
            _send(args.port, {"op": "down"})
            deadline = time.monotonic() + 30
            while runtime_dir(args.port).exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            print(f"fleet on port {args.port} stopped")
    except (ValueError, RuntimeError) as error:
        print(f"cloudlab fleet: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return 0
