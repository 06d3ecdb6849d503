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
    "address_map_html",
    "address_map_layout",
    "address_map_svg",
    "key_entry",
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


def _fits(label: str, width: float, scale: float = 1.0) -> bool:
    """Whether ``label`` (lines split by newlines) fits inside a block ``width`` wide.

    ``width`` is a share of the bar, as in :meth:`MapRow.place`; ``scale`` is
    :attr:`MapRow.scale`.
    """
    chars = max(len(line) for line in label.split("\n"))
    return width > (chars * CHAR_SHARE + MARGIN_SHARE) * scale


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
    scale : float
        How much wider a character of a label is, as a share of the bar, than on the
        figure (:data:`CHAR_SHARE`): 1 on the figure and the full-width SVG, more on a
        narrower bar, where fewer characters fit a block and more blocks get numbers.
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
    scale: float = 1.0

    @property
    def numbered(self) -> tuple[tuple[int, str, tuple[Network, str, str]], ...]:
        """The numbered blocks in order of number: ``(number, key entry, block)``, the
        entry as in :attr:`key`."""
        named = zip(self.numbers, self.blocks, strict=True)
        ordered = sorted(named, key=lambda pair: pair[0])
        return tuple((n, key_entry(n, block[1], block[0]), block) for n, block in ordered if n)

    @property
    def key(self) -> tuple[str, ...]:
        """The key under the bar, one entry per numbered block, in order of number
        (``"1: public-a 10.0.12.0/24"``; the colon keeps the number apart from names
        that hold numbers, such as ``"1: subnet 3 10.0.2.128/26"``)."""
        return tuple(entry for _, entry, _ in self.numbered)

    def place(self, net: Network) -> tuple[float, float]:
        """Where ``net`` lies on the bar: ``(x, width)`` as shares of it (width at least
        :data:`MIN_SHARE` times :attr:`scale`, so that a tiny block stays visible)."""
        x = (int(net.network_address) - self.start) / self.span
        return x, max(net.num_addresses / self.span, MIN_SHARE * self.scale)


def key_entry(number: int, name: str, net: Network) -> str:
    """A numbered block as the key (and its tooltip) says it: ``"1: public-a 10.0.12.0/24"``."""
    return f"{number}: {name} {text(net)}"


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

    A block shows the first of these that fits (:func:`_fits`, at the row's
    :attr:`MapRow.scale`): its name and CIDR, its
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
        texts[i] = next((option for option in options if _fits(option, width, row.scale)), "")
        if name and not texts[i]:
            numbers[i] = max(numbers) + 1
            if _fits(str(numbers[i]), width, row.scale):
                texts[i] = str(numbers[i])
            else:
                narrow.append((x, width, numbers[i]))
    free_texts = tuple(
        next(
            (o for o in (f"free\n{text(net)}", "free") if _fits(o, row.place(net)[1], row.scale)),
            "",
        )
        for net in row.free
    )
    return tuple(texts), free_texts, tuple(numbers), _callouts(narrow, CHAR_SHARE * row.scale)


def _callouts(narrow: Sequence[tuple[float, float, int]], char: float) -> tuple[Callout, ...]:
    """Group blocks ``(x, width, number)``, left to right, into callouts that do not
    overlap: a block joins the previous callout when its text would reach the block
    (``char``: one character's width, as a share of the bar)."""
    groups: list[list[tuple[float, float, int]]] = []

    def words(group: list[tuple[float, float, int]]) -> str:
        first, last = group[0][2], group[-1][2]
        return str(first) if first == last else f"{first}–{last}"

    def right(group: list[tuple[float, float, int]]) -> float:
        x, end = group[0][0], group[-1][0] + group[-1][1]
        return max(end, (x + end) / 2 + len(words(group)) * char / 2 + char)

    for block in narrow:
        if groups and block[0] < right(groups[-1]) + len(str(block[2])) * char / 2:
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
    scale: float = 1.0,
) -> MapRow:
    """A :class:`MapRow` with its texts, key and callouts (:func:`_block_texts`)."""
    bare = MapRow(start, span, blocks, free, first, last, mark, scale=scale)
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
    scale: float = 1.0,
) -> MapLayout:
    """Lay out an address map: its bars, its title and its alt text.

    Subnets take the palette's colours in turn; those in ``reserved`` (set aside, not in
    use) are drawn in :data:`RESERVED_COLOUR` with a dashed edge instead. ``scale``
    (:attr:`MapRow.scale`, at least 1) lays the bars out for a narrower drawing than
    the figure's.

    Raises
    ------
    ValueError
        If a subnet is not inside ``parent`` or ``labels`` does not match ``subnets``.
    """
    net, nets, names = _checked(parent, subnets, labels)
    if not scale >= 1:  # also NaN
        raise ValueError(f"scale={scale!r}: expected at least 1 (the figure's)")
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
        row = _row(start, net.num_addresses, blocks, free, *ends, scale=scale)
        return MapLayout(net, (row,), share, title, alt)
    low = min(int(s.network_address) for s in nets)
    high = max(int(s.broadcast_address) for s in nets)
    x0 = (low - start) / net.num_addresses
    width = max((high + 1 - low) / net.num_addresses, 0.004)
    top = _row(
        start, net.num_addresses, (), (), *ends, mark=(min(x0, 1 - width), width), scale=scale
    )
    make = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    inner = tuple(_gaps(nets, low, high, make))
    bottom = _row(
        low, high + 1 - low, blocks, inner, text(make(low)), text(make(high)), scale=scale
    )
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

_WIDTH = 900  # the full-width drawing, in pixels at 1:1 (its viewBox)
#: The narrow drawing: a phone's column is 300 to 350 px wide, so that its 11 px text
#: is drawn at about 11 px there (live.css shows it in columns narrower than 40rem).
_NARROW = 320
_SIDE = 4
_BAR = 44
_LINE = 14  # one line of 11 px text under or over a bar
#: One character of 11 px sans-serif text, as wide as the widest common ones: the digits
#: of DejaVu Sans are 0.636 em (1303 of 2048 units).
_CHAR_PX = 7.0
_HATCH = 7  # pixels between the hatch lines of free space


def _scale(width: int) -> float:
    """:attr:`MapRow.scale` for an SVG ``width`` pixels wide: its characters
    (:data:`_CHAR_PX`) as a share of its bar, in units of :data:`CHAR_SHARE`, and never
    below 1, so that the full-width SVG numbers the blocks the figure numbers."""
    return max(1.0, _CHAR_PX / (width - 2 * _SIDE) / CHAR_SHARE)


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


def _one_line(texts: Sequence[str], width: int) -> bool:
    """Whether ``texts`` fit side by side, a gap of three characters apart, on one line
    of an SVG ``width`` pixels wide."""
    chars = sum(len(t) for t in texts) + 3 * (len(texts) - 1)
    return chars * _CHAR_PX <= width - 2 * _SIDE


def _row_svg(row: MapRow, y: float, width: int) -> list[str]:
    """One bar whose top edge is at ``y``: its blocks, their texts, and its two ends (on
    two lines when one does not hold both)."""
    inner = width - 2 * _SIDE
    parts = []

    def place(net: Network) -> tuple[float, float]:
        x, width = row.place(net)
        return _SIDE + x * inner, width * inner

    for net, label in zip(row.free, row.free_texts, strict=True):
        x, wide = place(net)
        parts.append(_free_svg(x, y, wide))
        if label:
            parts.append(_label(x, y, wide, label.split("\n"), palette.GREY_27))
    for (net, name, colour), label, number in zip(row.blocks, row.texts, row.numbers, strict=True):
        x, wide = place(net)
        edge = (
            f'stroke="{palette.GREY_60}" stroke-width="1" stroke-dasharray="4 3"'
            if colour == RESERVED_COLOUR
            else 'stroke="white" stroke-width="1"'
        )
        tip = key_entry(number, name, net) if number else f"{name} {text(net)}".strip()
        parts.append(
            f'<rect x="{x:.2f}" y="{y}" width="{wide:.2f}" height="{_BAR}" fill="{colour}" '
            f"{edge}><title>{escape(tip)}</title></rect>"
        )
        if label:
            ink = palette.GREY_13 if colour in DARK_TEXT else "white"
            parts.append(_label(x, y, wide, label.split("\n"), ink))
    for callout in row.callouts:  # a bracket over the blocks, their numbers above it
        x, wide = _SIDE + callout.x * inner, max(callout.width * inner, 2)
        parts.append(
            f'<path d="M{x:.2f} {y - 1}v-4h{wide:.2f}v4" stroke="{palette.GREY_20}" '
            f'stroke-width="1" fill="none"/>'
            f'<text x="{x + wide / 2:.1f}" y="{y - 8}" fill="{palette.GREY_13}">'
            f"{escape(callout.text)}</text>"
        )
    if row.mark is not None:
        x, wide = row.mark
        parts.append(
            f'<rect x="{_SIDE + x * inner:.2f}" y="{y - 3}" width="{max(wide * inner, 3):.2f}" '
            f'height="{_BAR + 6}" fill="{palette.VERMILION}"/>'
        )
    last_y = y + _BAR + _LINE * (1 if _one_line((row.first, row.last), width) else 2)
    parts.append(
        f'<text x="{_SIDE}" y="{y + _BAR + _LINE}" text-anchor="start" fill="{palette.GREY_20}">'
        f"{escape(row.first)}</text>"
        f'<text x="{width - _SIDE}" y="{last_y}" text-anchor="end" fill="{palette.GREY_20}">'
        f"{escape(row.last)}</text>"
    )
    return parts


def _row_height(row: MapRow, width: int) -> int:
    """Pixels for a bar: numbers over it, the bar, and its ends under it."""
    over = 2 * _LINE if row.callouts else 0
    ends = 1 if _one_line((row.first, row.last), width) else 2
    return over + _BAR + _LINE * ends + 10


def _mark_lines(layout: MapLayout, width: int) -> list[str]:
    """:func:`mark_text` in one line, or in two after its colon when one is too short."""
    words = mark_text(layout)
    head, colon, tail = words.partition(": ")
    return [words] if _one_line((words,), width) or not colon else [head + ":", tail]


def _svg(layout: MapLayout, width: int) -> str:
    """The bars of ``layout`` as an SVG ``width`` pixels wide (at 1:1), scaling to the
    width of its container; no title and no key (:func:`address_map_html` writes them
    as text of the page)."""
    height = 4 + sum(_row_height(row, width) for row in layout.rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cl-address-map-bars" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="{escape(layout.alt)}" '
        'font-family="sans-serif" font-size="11" text-anchor="middle">'
        f"<desc>{escape(layout.description)}</desc>"
    ]
    y = 4
    for row in layout.rows:
        top = y + (2 * _LINE if row.callouts else 0)
        if row.mark is not None:
            parts.append(_free_svg(_SIDE, top, width - 2 * _SIDE))
        parts += _row_svg(row, top, width)
        if row.mark is not None:
            lines = _mark_lines(layout, width)
            parts.append(_label(_SIDE, top, width - 2 * _SIDE, lines, palette.GREY_20))
        y += _row_height(row, width)
    parts.append("</svg>")
    return "".join(parts)


def _key_html(layout: MapLayout) -> str:
    """The key as an HTML list: each numbered block's colour and :attr:`MapRow.key` entry."""
    items = []
    for row in layout.rows:
        for _, entry, (_, _, colour) in row.numbered:
            spare = " cl-address-map-spare" if colour == RESERVED_COLOUR else ""
            items.append(
                f'<li><span class="cl-address-map-swatch{spare}" style="background: {colour}">'
                f"</span>{escape(entry)}</li>"
            )
    if not items:
        return ""
    return (
        '<ul class="cl-address-map-key" aria-label="Key to the numbered blocks">'
        + "".join(items)
        + "</ul>"
    )


def address_map_svg(
    parent: str | Network,
    subnets: Sequence[str | Network],
    *,
    labels: Sequence[str] | None = None,
    reserved: Collection[Network] = (),
    width: int = _WIDTH,
) -> str:
    """Draw the bars of an address map, as an SVG element (a string).

    The same bars as :func:`cloudlab.net.pictures.address_map`, drawn without
    matplotlib: subnets coloured in turn (named when there is room, otherwise numbered;
    each has a tooltip), free space hatched, and a second, zoomed bar when the subnets
    cover less than 5 % of the parent. The title and the key to the numbers are not in
    the SVG: :func:`address_map_html` writes them beside it as text of the page, which
    wraps and follows the reader's font size. The element has ``role="img"``, an
    ``aria-label`` with :func:`address_map_alt`, and a ``desc`` naming every block left
    to right with its key number (:attr:`MapLayout.description`), so screen readers
    read the map's data.

    Parameters
    ----------
    parent : str or network
    subnets : sequence of str or network
        Subnets inside ``parent``.
    labels : sequence of str, optional
        A name per subnet.
    reserved : collection of network, optional
        Subnets set aside but not in use, drawn pale with a dashed edge.
    width : int, default 900
        The drawing's width in pixels at 1:1, for which its labels are chosen: at 900
        they are the figure's; narrower, fewer names fit and more blocks get numbers.

    Returns
    -------
    str
        ``<svg ...>...</svg>``, scaling to the width of its container.

    Raises
    ------
    ValueError
        If a subnet is not inside ``parent``, ``labels`` does not match ``subnets``, or
        ``width`` is below 100.
    """
    if not isinstance(width, int) or width < 100:
        raise ValueError(f"width={width!r}: expected a whole number of pixels, at least 100")
    layout = address_map_layout(parent, subnets, labels, None, reserved, _scale(width))
    return _svg(layout, width)


#: The drawings in :func:`address_map_html`: (class name, width in pixels). live.css
#: shows the narrow one, and hides the wide one, in a column narrower than 40rem.
_DRAWINGS = (("cl-address-map-wide", _WIDTH), ("cl-address-map-narrow", _NARROW))


def address_map_html(
    parent: str | Network,
    subnets: Sequence[str | Network],
    *,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    reserved: Collection[Network] = (),
) -> str:
    """The address map for a web page: its title, its bars, and the key to their numbers.

    A ``<figure>`` whose caption is the title (:attr:`MapLayout.title`), then the bars
    drawn twice, full width and for a phone's column (:func:`address_map_svg`; the
    page's style shows one of them), each followed by its own key, an HTML list of
    :attr:`MapRow.key`: numbers differ between the two, since a narrow bar holds fewer
    names. Caption and key are text of the page, so they wrap to the column and follow
    the reader's font size, where text inside an SVG shrinks with the drawing.

    Parameters
    ----------
    parent, subnets, labels, reserved
        As for :func:`address_map_svg`.
    title : str, optional
        The caption; by default the parent and how much of it is used.

    Returns
    -------
    str
        ``<figure class="cl-address-map">...</figure>``.

    Raises
    ------
    ValueError
        If a subnet is not inside ``parent`` or ``labels`` does not match ``subnets``.
    """
    drawings = []
    for name, width in _DRAWINGS:
        layout = address_map_layout(parent, subnets, labels, title, reserved, _scale(width))
        drawings.append(f'<div class="{name}">{_svg(layout, width)}{_key_html(layout)}</div>')
    caption = "<br/>".join(escape(line) for line in layout.title.split("\n"))
    return (
        f'<figure class="cl-address-map"><figcaption>{caption}</figcaption>'
        + "".join(drawings)
        + "</figure>"
    )
