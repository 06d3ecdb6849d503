"""The address map as data and as SVG: where each subnet sits inside its parent network.

One home for what the address maps share: the palette, when a second row zooms in on
the subnets, what each block says (its name and CIDR when there is room, otherwise a
number explained in a key under the bar: :func:`_block_texts`), the alt text written
from the data, and :func:`address_map_svg`, which
draws the map as an SVG string with the standard library only (the book's live
calculators run it in the browser, where there is no matplotlib). The matplotlib
figure of the same map is :func:`cloudlab.net.pictures.address_map`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from html import escape

from cloudlab import palette
from cloudlab.net.addresses import Network, parse_network, text
from cloudlab.net.subnets import free_blocks

__all__ = [
    "FREE_COLOUR",
    "PALETTE",
    "RESERVED_COLOUR",
    "ZOOM_BELOW",
    "Callout",
    "MapLayout",
    "MapRow",
    "address_map_alt",
    "address_map_layout",
    "address_map_svg",
    "key_lines",
    "mark_text",
]

#: The palette's colours in turn; the light ones get dark text (cloudlab.palette).
PALETTE = palette.PALETTE
FREE_COLOUR = palette.GREY_95
#: Blocks set aside but not in use (a plan's spare blocks): pale, with a dashed edge.
RESERVED_COLOUR = palette.PALE_SLATE
DARK_TEXT = palette.LIGHT | {RESERVED_COLOUR}
#: Below this share of the parent, the subnets also get a zoomed row of their own.
ZOOM_BELOW = 0.05
#: One character of a block's label, and the room left around a label, as shares of
#: the bar: a bold 8-pt character on the 9-inch figure; the SVG's 11-pixel characters on
#: its 900-pixel bar are narrower, so what fits one renderer fits both.
CHAR_SHARE = 0.0092
MARGIN_SHARE = 0.006
#: The narrowest block still drawn, as a share of its bar.
MIN_SHARE = 0.002


def _fits(label: str, width: float) -> bool:
    """Whether ``label`` (lines split by newlines) fits inside a block ``width`` wide.

    ``width`` is a share of the bar, as in :meth:`MapRow.place`.
    """
    return width > max(len(line) for line in label.split("\n")) * CHAR_SHARE + MARGIN_SHARE


def common_start(texts: Sequence[str]) -> str:
    """Longest common beginning of several strings, cut back to a separator."""
    if len(texts) < 2:
        return ""
    first, last = min(texts), max(texts)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    cut = max(first.rfind(".", 0, n), first.rfind(":", 0, n))
    return first[: cut + 1] if cut >= 0 else ""


def _used(nets: Sequence[Network]) -> int:
    """Addresses the nets cover, overlaps counted once."""
    return sum(s.num_addresses for s in ipaddress.collapse_addresses(nets)) if nets else 0  # type: ignore[type-var,misc]  # typeshed wants one family; the caller passes one


def address_map_alt(
    net: Network, nets: Sequence[Network], names: Sequence[str], used: int | None = None
) -> str:
    """The address map's alt text: the parent, each subnet in order, and the share used."""
    if len(names) != len(nets):
        raise ValueError(f"got {len(names)} labels for {len(nets)} subnets")
    share = (_used(nets) if used is None else used) / net.num_addresses
    listed = [
        f"{name} {text(sub)}" if name else text(sub)
        for sub, name in zip(nets[:8], names[:8], strict=True)
    ]
    shown = ", ".join(listed) + (f" and {len(nets) - 8} more" if len(nets) > 8 else "")
    part = f"{share:.1%}" if share >= 0.001 else "less than 0.1%"
    subnets = f"{len(nets)} subnet{'s' if len(nets) != 1 else ''}"
    return (
        f"Address map of {text(net)} ({net.num_addresses:,} addresses) from "
        f"{text(net.network_address)} to {text(net.broadcast_address)}: {subnets}"
        + (f" ({shown})" if nets else "")
        + f", {part} allocated, the rest free."
    )


@dataclass(frozen=True)
class MapRow:
    """One bar of an address map.

    Attributes
    ----------
    start : int
        The first address the bar spans, as an integer.
    span : int
        How many addresses the bar spans.
    blocks : tuple of (network, label, colour)
        The subnets drawn on the bar.
    free : tuple of network
        Free space drawn on the bar.
    first, last : str
        The addresses written under the bar's two ends.
    mark : tuple of float or None
        On the top row of a zoomed map: where the zoomed subnets lie, as shares
        ``(x, width)`` of the bar.
    texts : tuple of str
        What is written inside each block (lines split by newlines; empty for nothing):
        :func:`_block_texts`.
    free_texts : tuple of str
        The same for each free block.
    numbers : tuple of int
        Each block's number in the key (0 for none): named blocks too narrow for their
        name are numbered left to right, and carry the number instead.
    callouts : tuple of Callout
        Key numbers of blocks too narrow to hold even their number, written above the
        bar.
    """

    start: int
    span: int
    blocks: tuple[tuple[Network, str, str], ...]
    free: tuple[Network, ...]
    first: str
    last: str
    mark: tuple[float, float] | None = None
    texts: tuple[str, ...] = ()
    free_texts: tuple[str, ...] = ()
    numbers: tuple[int, ...] = ()
    callouts: tuple[Callout, ...] = ()

    @property
    def key(self) -> tuple[str, ...]:
        """The key under the bar, one entry per numbered block, in order of number
        (``"1: public-a 10.0.12.0/24"``; the colon keeps the number apart from names
        that hold numbers, such as ``"1: subnet 3 10.0.2.128/26"``)."""
        named = zip(self.numbers, self.blocks, strict=True)
        ordered = sorted(named, key=lambda pair: pair[0])
        return tuple(f"{n}: {name} {text(net)}" for n, (net, name, _) in ordered if n)

    def place(self, net: Network) -> tuple[float, float]:
        """Where ``net`` lies on the bar: ``(x, width)`` as shares of it (width at least
        :data:`MIN_SHARE`, so that a tiny block stays visible)."""
        x = (int(net.network_address) - self.start) / self.span
        return x, max(net.num_addresses / self.span, MIN_SHARE)


@dataclass(frozen=True)
class Callout:
    """Key numbers written above the bar, over blocks too narrow to hold them.

    Attributes
    ----------
    x, width : float
        The span of the blocks, as shares of the bar.
    text : str
        Their numbers: ``"3"``, or ``"3–8"`` for the blocks numbered 3 to 8.
    """

    x: float
    width: float
    text: str


def _block_texts(
    row: MapRow,
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[Callout, ...]]:
    """What each block of ``row`` says, for every renderer (the one home of the rule).

    A block shows the first of these that fits (:func:`_fits`): its name and CIDR, its
    name and the CIDR's end (``…12.0/24``), its name; an unnamed block its CIDR or the
    end of it. A named block too narrow for its name gets a number instead, counted
    left to right, and an entry in the key; if even the number does not fit, it is
    written above the bar, neighbours sharing one callout (``"3–8"``).

    Returns
    -------
    tuple
        ``(texts, free_texts, numbers, callouts)``, the :class:`MapRow` fields of the
        same names.
    """
    starts = [text(net.network_address) for net, _, _ in row.blocks]
    common = common_start(starts)
    texts = [""] * len(row.blocks)
    numbers = [0] * len(row.blocks)
    narrow: list[tuple[float, float, int]] = []  # (x, width, number) above the bar
    order = sorted(range(len(row.blocks)), key=lambda i: int(row.blocks[i][0].network_address))
    for i in order:
        net, name, _ = row.blocks[i]
        x, width = row.place(net)
        cidr = f"{starts[i]}/{net.prefixlen}"
        tail = "…" + starts[i][len(common) :]
        short = f"{tail}/{net.prefixlen}"
        if name:
            options = [f"{name}\n{cidr}", f"{name}\n{short}", name]
        else:
            options = [cidr, short] + ([tail] if len(tail) > 1 else [])
        texts[i] = next((option for option in options if _fits(option, width)), "")
        if name and not texts[i]:
            numbers[i] = max(numbers) + 1
            if _fits(str(numbers[i]), width):
                texts[i] = str(numbers[i])
            else:
                narrow.append((x, width, numbers[i]))
    free_texts = tuple(
        next((o for o in (f"free\n{text(net)}", "free") if _fits(o, row.place(net)[1])), "")
        for net in row.free
    )
    return tuple(texts), free_texts, tuple(numbers), _callouts(narrow)


def _callouts(narrow: Sequence[tuple[float, float, int]]) -> tuple[Callout, ...]:
    """Group blocks ``(x, width, number)``, left to right, into callouts that do not
    overlap: a block joins the previous callout when its text would reach the block."""
    groups: list[list[tuple[float, float, int]]] = []

    def words(group: list[tuple[float, float, int]]) -> str:
        first, last = group[0][2], group[-1][2]
        return str(first) if first == last else f"{first}–{last}"

    def right(group: list[tuple[float, float, int]]) -> float:
        x, end = group[0][0], group[-1][0] + group[-1][1]
        return max(end, (x + end) / 2 + len(words(group)) * CHAR_SHARE / 2 + CHAR_SHARE)

    for block in narrow:
        if groups and block[0] < right(groups[-1]) + len(str(block[2])) * CHAR_SHARE / 2:
            groups[-1].append(block)
        else:
            groups.append([block])
    return tuple(Callout(g[0][0], g[-1][0] + g[-1][1] - g[0][0], words(g)) for g in groups)


def _row(
    start: int,
    span: int,
    blocks: tuple[tuple[Network, str, str], ...],
    free: tuple[Network, ...],
    first: str,
    last: str,
    mark: tuple[float, float] | None = None,
) -> MapRow:
    """A :class:`MapRow` with its texts, key and callouts (:func:`_block_texts`)."""
    bare = MapRow(start, span, blocks, free, first, last, mark)
    texts, free_texts, numbers, callouts = _block_texts(bare)
    return dataclasses.replace(
        bare, texts=texts, free_texts=free_texts, numbers=numbers, callouts=callouts
    )


def key_lines(key: Sequence[str], chars: int) -> list[list[str]]:
    """The key's entries in lines of at most ``chars`` characters (entries three apart),
    never split inside an entry."""
    lines: list[list[str]] = []
    for entry in key:
        if lines and len("   ".join([*lines[-1], entry])) <= chars:
            lines[-1].append(entry)
        else:
            lines.append([entry])
    return lines


def _checked(
    parent: str | Network, subnets: Sequence[str | Network], labels: Sequence[str] | None
) -> tuple[Network, list[Network], list[str]]:
    net = parse_network(parent)
    nets = [parse_network(s) for s in subnets]
    for sub in nets:
        if sub.version != net.version or not sub.subnet_of(net):  # type: ignore[arg-type]  # same family: checked just before
            raise ValueError(f"{text(sub)} is not inside {text(net)}")
    names = [""] * len(nets) if labels is None else [str(x) for x in labels]
    if len(names) != len(nets):
        raise ValueError(f"got {len(names)} labels for {len(nets)} subnets")
    return net, nets, names


@dataclass(frozen=True)
class MapLayout:
    """What an address map shows, whoever draws it (SVG here, matplotlib in pictures).

    Attributes
    ----------
    net : network
        The parent.
    rows : tuple of MapRow
        One bar spanning the parent; when the subnets cover less than
        :data:`ZOOM_BELOW` of it, that bar only marks where they lie and a second bar
        spans them.
    share : float
        The share of the parent the subnets use.
    title : str
        The line(s) above the map.
    alt : str
        :func:`address_map_alt`.
    """

    net: Network
    rows: tuple[MapRow, ...]
    share: float
    title: str
    alt: str

    @property
    def zoomed(self) -> bool:
        """The map has a second, zoomed bar."""
        return len(self.rows) > 1

    @property
    def description(self) -> str:
        """Every block in words, left to right, with its key number if it has one: the
        long description beside :attr:`alt` (the SVG's ``desc``)."""
        said = []
        for row in self.rows:
            for i in sorted(range(len(row.blocks)), key=lambda i: row.place(row.blocks[i][0])):
                net, name, colour = row.blocks[i]
                notes = [f"number {row.numbers[i]}"] if row.numbers[i] else []
                notes += ["spare"] if colour == RESERVED_COLOUR else []
                note = f" ({', '.join(notes)})" if notes else ""
                said.append(f"{name} {text(net)}".strip() + note)
        return "Left to right: " + "; ".join(said) + "." if said else "No subnets."


def address_map_layout(
    parent: str | Network,
    subnets: Sequence[str | Network],
    labels: Sequence[str] | None = None,
    title: str | None = None,
    reserved: Collection[Network] = (),
) -> MapLayout:
    """Lay out an address map: its bars, its title and its alt text.

    Subnets take the palette's colours in turn; those in ``reserved`` (set aside, not in
    use) are drawn in :data:`RESERVED_COLOUR` with a dashed edge instead.

    Raises
    ------
    ValueError
        If a subnet is not inside ``parent`` or ``labels`` does not match ``subnets``.
    """
    net, nets, names = _checked(parent, subnets, labels)
    spare = set(reserved)
    colours = itertools.cycle(PALETTE)
    blocks = tuple(
        (s, n, RESERVED_COLOUR if s in spare else next(colours))
        for s, n in zip(nets, names, strict=True)
    )
    start = int(net.network_address)
    used = _used(nets)
    share = used / net.num_addresses
    if title is None:
        title = f"{text(net)}: {used:,} of {net.num_addresses:,} addresses in {len(nets)} subnets"
        if share < 0.001:
            title = f"{text(net)}: {len(nets)} subnets of {net.num_addresses:,} addresses"
    alt = address_map_alt(net, nets, names, used)
    ends = (text(net.network_address), text(net.broadcast_address))
    if not nets or share >= ZOOM_BELOW:
        free = tuple(free_blocks(net, nets))
        row = _row(start, net.num_addresses, blocks, free, *ends)
        return MapLayout(net, (row,), share, title, alt)
    low = min(int(s.network_address) for s in nets)
    high = max(int(s.broadcast_address) for s in nets)
    x0 = (low - start) / net.num_addresses
    width = max((high + 1 - low) / net.num_addresses, 0.004)
    top = _row(start, net.num_addresses, (), (), *ends, mark=(min(x0, 1 - width), width))
    make = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    inner = tuple(_gaps(nets, low, high, make))
    bottom = _row(low, high + 1 - low, blocks, inner, text(make(low)), text(make(high)))
    return MapLayout(net, (top, bottom), share, title, alt)


def _gaps(nets: Sequence[Network], low: int, high: int, make: type) -> list[Network]:
    """The free blocks between ``low`` and ``high`` (integers) that no net covers."""
    gaps: list[Network] = []
    cursor = low
    for sub in sorted(nets, key=lambda n: int(n.network_address)):
        start = int(sub.network_address)
        if start > cursor:
            gaps += ipaddress.summarize_address_range(make(cursor), make(start - 1))
        cursor = max(cursor, int(sub.broadcast_address) + 1)
    if cursor <= high:
        gaps += ipaddress.summarize_address_range(make(cursor), make(high))
    return gaps


def mark_text(layout: MapLayout) -> str:
    """The words on a zoomed map's top bar: how small a part of the parent is shown."""
    share = layout.share
    part = f"{share:.1%}" if share >= 0.001 else f"1/{round(1 / share):,}"
    return f"the subnets below are the orange mark: {part} of {text(layout.net)}"


# ----------------------------------------------------------------------- SVG

_WIDTH = 900
_SIDE = 4
_BAR = 44
_TITLE = 22
_LINE = 14  # one line of 11 px text under or over a bar
_KEY_CHARS = 125  # characters in a line of the key (11 px sans-serif on 900 px)
_HATCH = 7  # pixels between the hatch lines of free space


def _label(x: float, y: float, width: float, lines: Sequence[str], colour: str) -> str:
    middle = x + width / 2
    if len(lines) == 1:
        return (
            f'<text x="{middle:.1f}" y="{y + _BAR / 2 + 4:.1f}" fill="{colour}">'
            f"{escape(lines[0])}</text>"
        )
    return (
        f'<text x="{middle:.1f}" y="{y + _BAR / 2 - 3:.1f}" fill="{colour}">'
        f'<tspan x="{middle:.1f}">{escape(lines[0])}</tspan>'
        f'<tspan x="{middle:.1f}" dy="13">{escape(lines[1])}</tspan></text>'
    )


def _free_svg(x: float, y: float, width: float) -> str:
    """Free space: light grey, hatched with 45-degree lines that fit inside it (no ids)."""
    lines = max(0, int((width - _BAR) // _HATCH) + 1) if width >= _BAR else 0
    step = f"l{_BAR} -{_BAR}m-{_BAR - _HATCH} {_BAR}"
    hatch = (
        f'<path d="M{x:.1f} {y + _BAR}{step * lines}" stroke="{palette.GREY_69}" '
        'stroke-width="0.7" fill="none"/>'
        if lines
        else ""
    )
    return (
        f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{_BAR}" fill="{FREE_COLOUR}" '
        f'stroke="{palette.GREY_60}" stroke-width="0.6"/>' + hatch
    )


def _row_svg(row: MapRow, y: float) -> list[str]:
    """One bar whose top edge is at ``y``: its blocks, their texts, and its two ends."""
    inner = _WIDTH - 2 * _SIDE
    parts = []

    def place(net: Network) -> tuple[float, float]:
        x, width = row.place(net)
        return _SIDE + x * inner, width * inner

    for net, label in zip(row.free, row.free_texts, strict=True):
        x, width = place(net)
        parts.append(_free_svg(x, y, width))
        if label:
            parts.append(_label(x, y, width, label.split("\n"), palette.GREY_27))
    for (net, name, colour), label, number in zip(row.blocks, row.texts, row.numbers, strict=True):
        x, width = place(net)
        edge = (
            f'stroke="{palette.GREY_60}" stroke-width="1" stroke-dasharray="4 3"'
            if colour == RESERVED_COLOUR
            else 'stroke="white" stroke-width="1"'
        )
        tip = f"{number}: {name} {text(net)}" if number else f"{name} {text(net)}".strip()
        parts.append(
            f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{_BAR}" fill="{colour}" '
            f"{edge}><title>{escape(tip)}</title></rect>"
        )
        if label:
            ink = palette.GREY_13 if colour in DARK_TEXT else "white"
            parts.append(_label(x, y, width, label.split("\n"), ink))
    for callout in row.callouts:  # a bracket over the blocks, their numbers above it
        x, width = _SIDE + callout.x * inner, max(callout.width * inner, 2)
        parts.append(
            f'<path d="M{x:.2f} {y - 1}v-4h{width:.2f}v4" stroke="{palette.GREY_20}" '
            f'stroke-width="1" fill="none"/>'
            f'<text x="{x + width / 2:.1f}" y="{y - 8}" fill="{palette.GREY_13}">'
            f"{escape(callout.text)}</text>"
        )
    if row.mark is not None:
        x, width = row.mark
        parts.append(
            f'<rect x="{_SIDE + x * inner:.2f}" y="{y - 3}" width="{max(width * inner, 3):.2f}" '
            f'height="{_BAR + 6}" fill="{palette.VERMILION}"/>'
        )
    ink_ends = palette.GREY_20
    parts.append(
        f'<text x="{_SIDE}" y="{y + _BAR + _LINE}" text-anchor="start" fill="{ink_ends}">'
        f"{escape(row.first)}</text>"
        f'<text x="{_WIDTH - _SIDE}" y="{y + _BAR + _LINE}" text-anchor="end" fill="{ink_ends}">'
        f"{escape(row.last)}</text>"
    )
    for i, line in enumerate(key_lines(row.key, _KEY_CHARS), start=2):
        gap = '<tspan dx="1.5em">'  # spaces would collapse: the entries are set apart by dx
        entries = "".join(
            f"{gap if n else '<tspan>'}{escape(entry)}</tspan>" for n, entry in enumerate(line)
        )
        parts.append(
            f'<text x="{_WIDTH / 2}" y="{y + _BAR + i * _LINE + 2}" class="cl-address-map-key" '
            f'fill="{palette.GREY_13}">{entries}</text>'
        )
    return parts


def _row_height(row: MapRow) -> int:
    """Pixels for a bar: numbers over it, the bar, its ends and its key under it."""
    over = 2 * _LINE if row.callouts else 0
    return over + _BAR + 34 + _LINE * len(key_lines(row.key, _KEY_CHARS))


def address_map_svg(
    parent: str | Network,
    subnets: Sequence[str | Network],
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    reserved: Collection[Network] = (),
) -> str:
    """Draw where each subnet sits in its parent network, as an SVG element (a string).

    The same map as :func:`cloudlab.net.pictures.address_map`, drawn without
    matplotlib: subnets coloured in turn (named when there is room, otherwise numbered
    and named in a key under the bar; each has a tooltip), free space hatched, and a
    second, zoomed bar when the subnets cover less than 5 % of the parent. The element
    has ``role="img"``, an ``aria-label`` with :func:`address_map_alt`, and a ``desc``
    naming every block left to right with its key number
    (:attr:`MapLayout.description`), so screen readers read the map's data.

    Parameters
    ----------
    parent : str or network
    subnets : sequence of str or network
        Subnets inside ``parent``.
    labels : sequence of str, optional
        A name per subnet.
    title : str, optional
        The line above the map; by default the parent and how much of it is used.
    reserved : collection of network, optional
        Subnets set aside but not in use, drawn pale with a dashed edge.

    Returns
    -------
    str
        ``<svg ...>...</svg>``, scaling to the width of its container.

    Raises
    ------
    ValueError
        If a subnet is not inside ``parent`` or ``labels`` does not match ``subnets``.
    """
    layout = address_map_layout(parent, subnets, labels, title, reserved)
    lines = layout.title.split("\n")
    height = _TITLE * len(lines) + sum(_row_height(row) for row in layout.rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cl-address-map" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" '
        f'aria-label="{escape(layout.alt)}" '
        'font-family="sans-serif" font-size="11" text-anchor="middle">'
        f"<desc>{escape(layout.description)}</desc>"
    ]
    for i, line in enumerate(lines):
        parts.append(
            f'<text x="{_WIDTH / 2}" y="{15 + i * _TITLE}" font-size="13" fill="{palette.GREY_13}">'
            f"{escape(line)}</text>"
        )
    y = _TITLE * len(lines) + 4
    for row in layout.rows:
        top = y + (2 * _LINE if row.callouts else 0)
        if row.mark is not None:
            parts.append(_free_svg(_SIDE, top, _WIDTH - 2 * _SIDE))
        parts += _row_svg(row, top)
        if row.mark is not None:
            parts.append(
                f'<text x="{_WIDTH / 2}" y="{top + _BAR / 2 + 4}" fill="{palette.GREY_20}">'
                f"{escape(mark_text(layout))}</text>"
            )
        y += _row_height(row)
    parts.append("</svg>")
    return "".join(parts)
