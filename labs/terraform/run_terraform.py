"""Drive this lab's Terraform workflow step by step, saying what each step does.

Standard library only, so the lab stays standalone. The book's chapter uses it; from a
shell it runs the same workflow::

    python run_terraform.py --var-file terraform.tfvars.json            # real AWS (your profile)
    python run_terraform.py --var-file ... --endpoint http://127.0.0.1:PORT --region NAME

Every step is ``terraform <args>`` in this folder (``-chdir`` is not needed), run with
``TF_IN_AUTOMATION=1`` and ``TF_INPUT=0`` so Terraform never waits for a prompt, and
``apply`` only ever applies a plan file saved by ``plan -out``. When Terraform is missing,
:meth:`TerraformRunner.skip_reason` says so and nothing runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
PLAN_FILE = "tfplan"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # terminal colour codes in Terraform's output

# Dummy credentials for an emulator (moto accepts any); never used for real AWS.
_EMULATOR_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "cloudlab-emulator",
    "AWS_SECRET_ACCESS_KEY": "cloudlab-emulator-secret",
}


class TerraformError(RuntimeError):
    """A Terraform command failed; the message is one line a learner can act on."""


@dataclass(frozen=True)
class Step:
    """One command of the workflow and why it runs.

    Attributes
    ----------
    args : tuple of str
        Arguments after ``terraform``.
    why : str
        One sentence for the reader.
    """

    args: tuple[str, ...]
    why: str

    def text(self) -> str:
        """The command as a reader would type it."""
        return " ".join(("terraform", *self.args))


@dataclass
class TerraformRunner:
    """Runs ``terraform`` in one working directory with one set of variables.

    Attributes
    ----------
    workdir : Path
        The root module (this folder, or a copy of it).
    executable : str or None
        Path to ``terraform``; found on ``PATH`` when not given.
    endpoint_url : str or None
        An emulator's URL: passed as ``TF_VAR_aws_endpoint_url`` with dummy credentials.
        None means real AWS with your own credentials.
    region : str or None
        Passed as ``TF_VAR_aws_region`` when given.
    out : TextIO
        Where each command and its output are printed.
    """

    workdir: Path = HERE
    executable: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    out: TextIO = field(default=sys.stdout, repr=False)
    history: list[tuple[str, ...]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.workdir = Path(self.workdir)
        if self.executable is None:
            self.executable = shutil.which("terraform")

    def skip_reason(self) -> str | None:
        """Why nothing can run here, or None when ``terraform`` is available."""
        if self.executable is None:
            return "no terraform executable on PATH"
        if not Path(self.executable).exists():
            return f"{self.executable} does not exist"
        if not (self.workdir / "versions.tf").exists():
            return f"{self.workdir} is not this lab's folder (no versions.tf)"
        return None

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment Terraform runs with (no prompts; emulator settings if any)."""
        env = dict(os.environ if base is None else base)
        env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
        if self.endpoint_url is not None:
            env.update(_EMULATOR_CREDENTIALS)
            env["TF_VAR_aws_endpoint_url"] = self.endpoint_url
            # The emulator is not AWS: never read the reader's profile or config files.
            env.pop("AWS_PROFILE", None)
        if self.region is not None:
            env["TF_VAR_aws_region"] = self.region
        return env

    def run(self, step: Step, *, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        """Run one step, print its command and output, and raise on failure.

        Raises
        ------
        TerraformError
            When Terraform is missing, exits with an error (the message quotes its first
            ``Error:`` line) or runs longer than ``timeout`` seconds.
        """
        reason = self.skip_reason()
        if reason is not None:
            raise TerraformError(f"cannot run `{step.text()}`: {reason}")
        print(f"$ {step.text()}    # {step.why}", file=self.out)
        self.history.append(step.args)
        try:
            result = subprocess.run(
                [str(self.executable), *step.args],
                cwd=self.workdir,
                env=self.environment(),
                capture_output=True,
                text=True,
                check=False,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as error:
            raise TerraformError(f"`{step.text()}` took longer than {timeout:g} s") from error
        if result.stdout.strip():
            print(_ANSI.sub("", result.stdout).rstrip(), file=self.out)
        if result.returncode != 0:
            raise TerraformError(f"`{step.text()}` failed: {first_error(result.stderr)}")
        return result


def first_error(stderr: str) -> str:
    """Terraform's first ``Error: ...`` line (colours and box drawing removed)."""
    plain = _ANSI.sub("", stderr)
    lines = [line.strip(" │╷╵") for line in plain.splitlines()]
    for line in lines:
        if "Error:" in line:
            return line[line.index("Error:") :].strip()
    rest = [line for line in lines if line]
    return rest[0] if rest else "no error message"


def setup_steps(var_file: str) -> list[Step]:
    """Format check, init, validate, plan: nothing is created yet."""
    return [
        Step(("fmt", "-check", "-recursive"), "is every file in canonical format?"),
        Step(("init", "-input=false"), "download the providers, set up the local backend"),
        Step(("validate",), "is the configuration consistent (types, references, names)?"),
        Step(
            ("plan", f"-var-file={var_file}", f"-out={PLAN_FILE}"),
            "what would change? saved to a file, to apply exactly what was read",
        ),
    ]


def apply_steps() -> list[Step]:
    """Apply the saved plan, then show the outputs."""
    return [
        Step(("apply", PLAN_FILE), "make the changes of the saved plan, and nothing else"),
        Step(("output",), "the load balancer's URL, the ECR repository, the service names"),
    ]


def shift_steps(var_file: str, green_weight: int) -> list[Step]:
    """Blue/green: re-plan with a new ``green_weight`` and apply that plan."""
    if not 0 <= green_weight <= 100:
        raise ValueError(f"green_weight {green_weight}: a percentage is 0–100")
    return [
        Step(
            (
                "plan",
                f"-var-file={var_file}",
                f"-var=green_weight={green_weight}",
                f"-out={PLAN_FILE}",
            ),
            f"send {green_weight} % of requests to green: listener weights and scaling bounds",
        ),
        Step(("apply", PLAN_FILE), "apply that plan"),
    ]


def destroy_steps(var_file: str) -> list[Step]:
    """Plan the destruction, read it, then apply it."""
    return [
        Step(
            ("plan", "-destroy", f"-var-file={var_file}", f"-out={PLAN_FILE}"),
            "what would be deleted? (everything this state tracks)",
        ),
        Step(("apply", PLAN_FILE), "delete it"),
    ]


def workflow(var_file: str, green_weight: int = 50) -> list[Step]:
    """The whole lab: set up, apply, shift traffic, destroy."""
    return [
        *setup_steps(var_file),
        *apply_steps(),
        *shift_steps(var_file, green_weight),
        *destroy_steps(var_file),
    ]


def run_all(runner: TerraformRunner, steps: Sequence[Step], *, timeout: float = 900) -> None:
    """Run the steps in order; stop at the first failure (its error propagates).

    ``timeout`` is in seconds, per step.
    """
    for step in steps:
        runner.run(step, timeout=timeout)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print or run the workflow."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-file", default="terraform.tfvars.json")
    parser.add_argument("--endpoint", help="emulator URL (default: real AWS)")
    parser.add_argument("--region", help="region name (default: AWS_REGION or your profile)")
    parser.add_argument("--green-weight", type=int, default=50)
    parser.add_argument("--dry-run", action="store_true", help="only print the commands")
    args = parser.parse_args(argv)
    steps = workflow(args.var_file, args.green_weight)
    runner = TerraformRunner(endpoint_url=args.endpoint, region=args.region)
    reason = runner.skip_reason()
    if args.dry_run or reason is not None:
        if reason is not None:
            print(f"not running: {reason}")
        for step in steps:
            print(f"{step.text():<72} # {step.why}")
        return 0
    try:
        run_all(runner, steps)
    except TerraformError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
