"""Every chapter's notebook ran once, against today's code, and none failed.

`make book` executes the notebooks into jupyter-cache (book/_ext/cloudlab_execute.py) and
the build takes their outputs from there. This reads the cache back: each notebook of the
table of contents has a successful execution of its current code cells, the cache was
filled against today's src/, labs/ and locks, and myst-nb wrote no failure report.
"""

from __future__ import annotations

from pathlib import Path

import cloudlab_execute as execution
import pytest

pytestmark = pytest.mark.site


def test_every_notebook_of_the_book_has_a_current_successful_execution(site_dir: Path) -> None:
    states = execution.report()
    assert len(states) >= 11, [state.name for state in states]
    missing = [state.name for state in states if not state.cached]
    assert missing == [], f"not executed against their current code: {missing}"
    for state in states:
        print(f"{state.seconds:6.1f} s  {state.name}")
        assert state.seconds is not None
        assert state.seconds > 0


def test_the_cache_was_filled_against_todays_package_and_labs(site_dir: Path) -> None:
    assert execution.inputs_are_current(), (
        "src/, labs/ or a lock changed after the notebooks ran: run `make book`"
    )


def test_the_build_reported_no_failed_notebook(site_dir: Path) -> None:
    reports = site_dir / "reports"
    assert not reports.exists() or not any(reports.iterdir()), sorted(reports.iterdir())


def test_a_change_to_the_package_changes_the_inputs_digest(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    module = tmp_path / "src" / "m.py"
    module.write_text("x = 1\n")
    before = execution.inputs_digest(tmp_path)
    module.write_text("x = 2\n")
    assert execution.inputs_digest(tmp_path) != before


def _notebook(folder: Path, name: str, code: str) -> str:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return str(path)


@pytest.mark.parametrize(
    ("code", "left"),
    [
        ("import subprocess\nsubprocess.run(['true'], check=True)", None),
        ("import subprocess\nchild = subprocess.Popen(['sleep', '30'])", "sleep (pid "),
        (
            "import socket\nserver = socket.socket()\n"
            "server.bind(('127.0.0.1', 0))\nserver.listen()",
            "a socket listening on port ",
        ),
    ],
    ids=["stops-what-it-starts", "leaves-a-process", "leaves-a-port"],
)
def test_a_notebook_that_leaves_a_process_or_a_port_running_fails(
    tmp_path: Path, code: str, left: str | None
) -> None:
    _, text, _, error = execution._execute(_notebook(tmp_path, "chapter", code), 60)
    if left is None:
        assert error is None
        assert text is not None
    else:
        assert text is None
        assert error is not None
        assert error.startswith("still running after the last cell: ")
        assert left in error
