"""cloudlab: calculators, simulators and lab helpers for the cloudlab book."""

__version__ = "0.1.0"
