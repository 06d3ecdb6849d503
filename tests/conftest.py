"""Shared test set-up: pictures render off-screen, without a display."""

import matplotlib

matplotlib.use("Agg")
