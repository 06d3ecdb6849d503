"""The lab's Terraform driver (labs/terraform/run_terraform.py), with a stand-in executable.

The real Terraform cannot download the AWS provider here, so a small script plays its
part: it records each call (arguments, working directory, the variables it was given)
and answers like Terraform, failing on request with a Terraform-style error.
"""

from __future__ import annotations

import importlib.util
import io
import json
import stat
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "labs" / "terraform"

FAKE = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_TF_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({{
        "args": args,
        "cwd": os.getcwd(),
        "endpoint": os.environ.get("TF_VAR_aws_endpoint_url"),
        "region": os.environ.get("TF_VAR_aws_region"),
        "key": os.environ.get("AWS_ACCESS_KEY_ID"),
        "profile": os.environ.get("AWS_PROFILE"),
        "automation": os.environ.get("TF_IN_AUTOMATION"),
        "input": os.environ.get("TF_INPUT"),
    }}) + "\\n")
if args and args[0] == os.environ.get("FAKE_TF_FAIL"):
    sys.stderr.write("\\u2577\\n\\u2502 Error: Failed to query available provider packages\\n")
    sys.exit(1)
print("ok: " + " ".join(args))
"""


def load_driver():
    spec = importlib.util.spec_from_file_location("tf_driver", LAB / "run_terraform.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tf_driver"] = module
    spec.loader.exec_module(module)
    return module


driver = load_driver()


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A stand-in ``terraform`` and the file where it logs its calls."""
    executable = tmp_path / "terraform"
    executable.write_text(FAKE.format(python=sys.executable), encoding="utf-8")
    executable.chmod(executable.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_TF_LOG", str(log))
    monkeypatch.setenv("AWS_PROFILE", "someones-profile")
    monkeypatch.delenv("FAKE_TF_FAIL", raising=False)

    def calls():
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    return executable, calls


def test_workflow_runs_in_order_in_the_lab_folder(fake):
    executable, calls = fake
    out = io.StringIO()
    runner = driver.TerraformRunner(LAB, executable=str(executable), out=out)
    driver.run_all(runner, driver.workflow("my.tfvars.json", green_weight=30))
    recorded = calls()
    assert [c["args"][0] for c in recorded] == [
        "fmt",
        "init",
        "validate",
        "plan",
        "apply",
        "output",
        "plan",
        "apply",
        "plan",
        "apply",
    ]
    assert {c["cwd"] for c in recorded} == {str(LAB)}
    assert all(c["automation"] == "1" and c["input"] == "0" for c in recorded)
    assert "$ terraform init -input=false" in out.getvalue()
    assert "ok: validate" in out.getvalue()


def test_apply_only_ever_applies_a_saved_plan(fake):
    executable, calls = fake
    runner = driver.TerraformRunner(LAB, executable=str(executable), out=io.StringIO())
    driver.run_all(runner, driver.workflow("x.json"))
    for call in calls():
        if call["args"][0] == "apply":
            assert call["args"] == ["apply", driver.PLAN_FILE]
        if call["args"][0] == "plan":
            assert f"-out={driver.PLAN_FILE}" in call["args"]
            assert "-var-file=x.json" in call["args"]


def test_green_weight_and_destroy_are_passed(fake):
    executable, calls = fake
    runner = driver.TerraformRunner(LAB, executable=str(executable), out=io.StringIO())
    driver.run_all(runner, driver.shift_steps("x.json", 25) + driver.destroy_steps("x.json"))
    plans = [c["args"] for c in calls() if c["args"][0] == "plan"]
    assert "-var=green_weight=25" in plans[0]
    assert "-destroy" in plans[1]


def test_emulator_settings_reach_terraform_and_hide_the_profile(fake):
    executable, calls = fake
    runner = driver.TerraformRunner(
        LAB,
        executable=str(executable),
        endpoint_url="http://127.0.0.1:5555",
        region="test-region-1",
        out=io.StringIO(),
    )
    runner.run(driver.Step(("validate",), "check"))
    (call,) = calls()
    assert call["endpoint"] == "http://127.0.0.1:5555"
    assert call["region"] == "test-region-1"
    assert call["key"] == "cloudlab-emulator"
    assert call["profile"] is None


def test_real_aws_keeps_the_readers_credentials(fake):
    executable, calls = fake
    runner = driver.TerraformRunner(LAB, executable=str(executable), out=io.StringIO())
    runner.run(driver.Step(("validate",), "check"))
    (call,) = calls()
    assert call["endpoint"] is None
    assert call["profile"] == "someones-profile"


def test_a_failure_stops_the_workflow_with_terraforms_error(fake, monkeypatch):
    executable, calls = fake
    monkeypatch.setenv("FAKE_TF_FAIL", "init")
    runner = driver.TerraformRunner(LAB, executable=str(executable), out=io.StringIO())
    with pytest.raises(driver.TerraformError, match="init -input=false` failed: Error: Failed to"):
        driver.run_all(runner, driver.workflow("x.json"))
    assert [c["args"][0] for c in calls()] == ["fmt", "init"]


def test_missing_terraform_runs_nothing(tmp_path):
    runner = driver.TerraformRunner(LAB, executable=str(tmp_path / "nope"), out=io.StringIO())
    assert "does not exist" in runner.skip_reason()
    with pytest.raises(driver.TerraformError, match="cannot run"):
        runner.run(driver.Step(("init",), "x"))
    assert runner.history == []


def test_wrong_folder_is_refused(fake, tmp_path):
    executable, _ = fake
    runner = driver.TerraformRunner(tmp_path, executable=str(executable), out=io.StringIO())
    assert "not this lab's folder" in runner.skip_reason()


def test_green_weight_outside_0_100_is_refused():
    with pytest.raises(ValueError, match="0–100"):
        driver.shift_steps("x.json", 150)


def test_first_error_finds_terraforms_line():
    stderr = (
        "\x1b[31m╷\x1b[0m\n\x1b[31m│\x1b[0m \x1b[1m\x1b[31mError: \x1b[0mInvalid value\n│ more\n╵\n"
    )
    assert driver.first_error(stderr) == "Error: Invalid value"
    assert driver.first_error("") == "no error message"
    assert driver.first_error("plain failure\n") == "plain failure"


def test_dry_run_prints_every_command(capsys):
    assert driver.main(["--dry-run", "--var-file", "v.json"]) == 0
    printed = capsys.readouterr().out
    assert "terraform plan -var-file=v.json -out=tfplan" in printed
    assert "terraform apply tfplan" in printed


def test_a_hanging_step_becomes_a_one_line_error(tmp_path, monkeypatch):
    slow = tmp_path / "terraform"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(30)\n", encoding="utf-8")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    runner = driver.TerraformRunner(LAB, executable=str(slow), out=io.StringIO())
    with pytest.raises(driver.TerraformError, match=r"took longer than 0\.5 s"):
        runner.run(driver.Step(("plan",), "x"), timeout=0.5)
