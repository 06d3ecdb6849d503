"""The IP calculator widget: type an address or CIDR, see its properties and its bits.

A view over :func:`cloudlab.net.describe`; all computing happens there. Every value
shown is escaped, so whatever is typed is displayed as text, never as HTML.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from cloudlab.figures import BLUE, TEXT_VERMILION
from cloudlab.net.addresses import NetworkInfo, describe
from cloudlab.widgets.common import (
    LABEL_STYLE,
    Calculator,
    cell,
    error_html,
    html_table,
    typed_hint,
)

__all__ = ["IPCalculator", "error_html", "make_ip_calculator_ui"]

# Text colours: both at least 4.5:1 against white (WCAG 2.1 AA); the host colour is a
# darker shade of the Okabe-Ito vermilion the pictures use.
NETWORK_COLOUR = BLUE
HOST_COLOUR = TEXT_VERMILION

_ROWS = (
    ("address", "Address typed"),
    ("network", "Network"),
    ("prefixlen", "Prefix length"),
    ("netmask", "Netmask"),
    ("hostmask", "Wildcard (hostmask)"),
    ("broadcast", "Broadcast"),
    ("first_host", "First host"),
    ("last_host", "Last host"),
    ("num_addresses", "Addresses"),
    ("usable_hosts", "Usable hosts"),
    ("aws_usable", "Usable on AWS"),
    ("type_label", "Type"),
    ("compressed", "Compressed"),
    ("exploded", "Exploded"),
    ("ipv4_mapped", "IPv4-mapped / embedded IPv4"),
    ("reverse_pointer", "Reverse DNS name"),
)


#: Values longer than this may wrap at their dots and colons (an IPv6 reverse DNS name
#: has 72 characters), rather than push the table wider than the widget.
_WRAP_OVER = 40


def _cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    text = escape(str(value))
    if len(text) > _WRAP_OVER:
        text = text.replace(".", ".<wbr>").replace(":", ":<wbr>")
    return text


def property_table(info: NetworkInfo) -> str:
    """The HTML table of an address or network's properties."""
    data = info.to_dict()
    return html_table(
        [
            cell(escape(label), style=LABEL_STYLE, header=True),
            cell(f"<code>{_cell(data[key])}</code>"),
        ]
        for key, label in _ROWS
        if data[key] is not None
    )


def binary_html(info: NetworkInfo) -> str:
    """The address in binary: network bits in blue, host bits in orange."""
    network_bits = info.binary_network_bits
    host_bits = info.binary_host_bits
    n_host = (32 if info.version == 4 else 128) - info.prefixlen
    return (
        '<div style="font-family:monospace;word-break:break-all;line-height:1.5">'
        f'<span style="color:{NETWORK_COLOUR};font-weight:bold">{escape(network_bits)}</span>'
        f'<span style="color:{HOST_COLOUR}">{escape(host_bits)}</span></div>'
        f'<div style="font-size:90%"><span style="color:{NETWORK_COLOUR}">&#9632;</span> '
        f"network bits ({info.prefixlen}) &nbsp; "
        f'<span style="color:{HOST_COLOUR}">&#9632;</span> host bits ({n_host})</div>'
    )


class IPCalculator(Calculator):
    """Text box → property table and binary view. Built by :func:`make_ip_calculator_ui`.

    Attributes
    ----------
    text : ipywidgets.Text
        Where the address or CIDR is typed.
    error : ipywidgets.HTML
        One line when the input cannot be read, else empty.
    binary : ipywidgets.HTML
        The coloured binary view.
    table : ipywidgets.HTML
        The property table.
    result : NetworkInfo or None
        What was computed from the current input (None after an error).
    """

    texts = ("binary", "table")

    def __init__(self, value: str = "10.1.2.3/20") -> None:
        self.text = widgets.Text(
            value=value,
            description="Address",
            placeholder="10.1.2.3/24 or 2001:db8::/48",
            layout=widgets.Layout(width="28em"),
            continuous_update=False,
        )
        self.error = widgets.HTML()
        self.binary = widgets.HTML()
        self.table = widgets.HTML()
        self.result: NetworkInfo | None = None
        super().__init__([self.text, typed_hint(), self.error, self.binary, self.table])
        self.text.observe(self._on_change, names="value")
        self.update()

    def compute(self) -> NetworkInfo:
        """The properties of what the text box holds."""
        return describe(self.text.value)

    def render(self, info: NetworkInfo) -> None:
        """The binary view and the property table."""
        self.binary.value = binary_html(info)
        self.table.value = property_table(info)


def make_ip_calculator_ui(value: str = "10.1.2.3/20") -> IPCalculator:
    """Build the IP calculator widget (returned, not displayed).

    Parameters
    ----------
    value : str, default "10.1.2.3/20"
        What the text box starts with.

    Returns
    -------
    IPCalculator
        A VBox; its ``result`` is the current :class:`~cloudlab.net.NetworkInfo`.
    """
    return IPCalculator(value)
