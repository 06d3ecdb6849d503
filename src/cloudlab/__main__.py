"""Run the cloudlab command line: ``python -m cloudlab ...`` (see :mod:`cloudlab.cli`)."""

from cloudlab.cli import main

raise SystemExit(main())
