"""The one set of rules that finds, or provides, the book's headless Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cloudlab.web import chromium


def fake_browser(folder: Path, name: str = "chromium") -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def nothing_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty PATH, no CHROMIUM, no Playwright browser."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setattr(chromium, "playwright_chromium", lambda: None)
    return empty


def test_chromium_from_the_environment_wins(nothing_installed: Path, tmp_path: Path) -> None:
    fake_browser(nothing_installed, "google-chrome")
    chosen = fake_browser(tmp_path, "my-chromium")
    assert chromium.find_chromium({"CHROMIUM": str(chosen)}) == str(chosen)


def test_a_wrong_chromium_setting_is_an_error_not_another_browser(
    nothing_installed: Path,
) -> None:
    fake_browser(nothing_installed)
    with pytest.raises(ValueError, match=r"CHROMIUM=/no/such/chrome: no executable there"):
        chromium.find_chromium({"CHROMIUM": "/no/such/chrome"})


@pytest.mark.parametrize("name", ["chromium", "chromium-browser", "google-chrome"])
def test_each_command_on_the_path_is_found(nothing_installed: Path, name: str) -> None:
    path = fake_browser(nothing_installed, name)
    assert chromium.find_chromium({}) == str(path)


def test_commands_are_tried_in_order(nothing_installed: Path) -> None:
    fake_browser(nothing_installed, "google-chrome")
    first = fake_browser(nothing_installed, "chromium-browser")
    assert chromium.find_chromium({}) == str(first)


def test_a_playwright_browser_is_the_last_resort(
    nothing_installed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert chromium.find_chromium({}) is None
    installed = fake_browser(tmp_path, "chrome")
    monkeypatch.setattr(chromium, "playwright_chromium", lambda: str(installed))
    assert chromium.find_chromium({}) == str(installed)


def test_provide_tries_playwright_then_apt_as_root(
    nothing_installed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_browser(nothing_installed, "playwright")
    ran: list[list[str]] = []

    def run(command, timeout, say, env=None):
        ran.append(list(command))
        if command[:2] == ["apt-get", "install"]:
            fake_browser(nothing_installed)  # what apt-get would have done
        return command[0] != str(nothing_installed / "playwright")  # no download host here

    monkeypatch.setattr(chromium, "_run", run)
    monkeypatch.setattr(chromium, "_is_debian", lambda: True)
    monkeypatch.setattr(chromium, "_as_root", lambda: [])
    found = chromium.provide_chromium(say=lambda line: None)
    assert found == str(nothing_installed / "chromium")
    assert [command[:2] for command in ran] == [
        [str(nothing_installed / "playwright"), "install"],
        ["apt-get", "update"],
        ["apt-get", "install"],
    ]


def test_provide_names_what_to_install_when_nothing_works(
    nothing_installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chromium, "_is_debian", lambda: True)
    monkeypatch.setattr(chromium, "_as_root", lambda: None)  # not root, sudo asks a password
    with pytest.raises(RuntimeError, match=r"run `sudo apt-get install chromium`"):
        chromium.provide_chromium(say=lambda line: None)
    monkeypatch.setattr(chromium, "_is_debian", lambda: False)
    with pytest.raises(RuntimeError, match=r"install Chromium or Google Chrome"):
        chromium.provide_chromium(say=lambda line: None)


def test_the_command_line_says_one_line_and_fails(
    nothing_installed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chromium.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("cloudlab: no Chromium found")


def test_this_machine_has_the_browser_make_provided() -> None:
    # `make unit` runs `make browser` first: here a browser must exist and start.
    path = chromium.find_chromium()
    assert path is not None, chromium.NOT_FOUND
    assert os.access(path, os.X_OK)
