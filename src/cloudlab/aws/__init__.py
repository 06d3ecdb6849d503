"""AWS for the labs: the local emulator by default, real accounts only on opt-in."""

from cloudlab.aws.session import Connection, connect, emulator_region, local_emulator, opted_in

__all__ = ["Connection", "connect", "emulator_region", "local_emulator", "opted_in"]
