"""The look every picture of the book shares: the palette, as plain constants.

Okabe–Ito colours, the text colours of the widgets' HTML, and the greys. Standard library
only (no matplotlib), so that the SVG pictures the live calculators draw in the browser
(:mod:`cloudlab.net.addressmap`) use the same colours; :mod:`cloudlab.figures` re-exports
every name, so the matplotlib pictures and the widgets import them from there.
"""

from __future__ import annotations

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
PURPLE = "#CC79A7"  # Okabe–Ito's "reddish purple"
SKY = "#56B4E9"
VERMILION = "#D55E00"
YELLOW = "#F0E442"
BLACK = "#000000"
PALETTE = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILION, YELLOW)
#: The palette colours light enough to need dark text on them.
LIGHT = frozenset({ORANGE, SKY, YELLOW})

#: Light tints of blue, green and purple (fills under the palette's edges).
BLUE_TINT = "#d4e6f4"
GREEN_TINT = "#d5efe5"
PURPLE_TINT = "#f2e2ec"
PALE_BLUE = "#eef4fb"
PALE_SLATE = "#eef3f8"
PALE_YELLOW = "#fff2b3"  # the winning row of a table
#: Darker accents: vermilion and orange for text or edges, a steel blue, a slate, violet.
DARK_VERMILION = "#A03C00"
DARK_ORANGE = "#9c6b00"
STEEL = "#3b6ea5"
SLATE = "#7f8c99"
VIOLET = "#7A4FA0"

#: Text colours of the widgets' HTML, each at least 4.5:1 against white (WCAG 2.1 AA):
#: darker shades of the Okabe–Ito green and vermilion, an error red, an "allowed" green.
TEXT_GREEN = "#007A5A"
TEXT_VERMILION = "#B34A00"
ERROR_RED = "#b00020"
ALLOW_GREEN = "#1b7f3b"

#: Greys, darkest first, named by their lightness in per cent (``#777`` is ``#777777``).
GREY_11 = "#1d1d1d"
GREY_13 = "#222"
GREY_17 = "#2b2b2b"
GREY_20 = "#333"
GREY_24 = "#3d3d3d"
GREY_27 = "#444"
GREY_33 = "#555"
GREY_35 = "#595959"
GREY_40 = "#666"
GREY_47 = "#777"
GREY_53 = "#888"
GREY_54 = "#8a8a8a"
GREY_60 = "#999"
GREY_69 = "#b0b0b0"
GREY_93 = "#eee"
GREY_95 = "#f2f2f2"
GREY_98 = "#fbfbfb"
