"""Colours in a figure: parsing, the background, which pixels are ink of which curve, and
automatic detection of the curve colours.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from evidence_app.errors import InputError

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_color(text: str) -> np.ndarray:
    """``"#1f77b4"`` (or ``"1f77b4"``, ``"#fff"``) to an RGB float array."""
    match = _HEX.match(text.strip())
    if not match:
        raise InputError(f"{text!r} is not a colour; write it as #rrggbb, e.g. #1f77b4.", location="colors")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return np.array([int(digits[i : i + 2], 16) for i in (0, 2, 4)], dtype=float)


def format_color(rgb: Sequence[float] | np.ndarray) -> str:
    """RGB values to ``#rrggbb``."""
    r, g, b = (int(np.clip(round(float(v)), 0, 255)) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def estimate_background(region: np.ndarray) -> np.ndarray:
    """The most common colour of a region (quantised to 8 levels per channel, then averaged)."""
    px = region.reshape(-1, 3)
    px = px[:: max(1, px.shape[0] // 200_000)].astype(np.int32)  # a sample is plenty
    keys = ((px[:, 0] >> 5) << 6) | ((px[:, 1] >> 5) << 3) | (px[:, 2] >> 5)
    mode = np.bincount(keys, minlength=512).argmax()
    return px[keys == mode].mean(axis=0)


def remove_grid_lines(region: np.ndarray, background: np.ndarray) -> np.ndarray:
    """A copy of ``region`` with grid lines painted over in the background colour.

    A grid line is a row (column) with ink at both of its ends and in at least 45 % of its
    pixels (a legend box or dotted style may hide the rest); only its pixels close to the
    line's own colour are removed, so curves drawn across it stay. A curve's flat step
    would have to run the whole width to qualify.
    """
    out = region.astype(np.float32).copy()
    inked = np.abs(out - background).max(axis=2) > 25
    for axis in (0, 1):
        lines_of = inked if axis == 0 else inked.T
        end = max(2, lines_of.shape[1] // 30)
        grid = (lines_of.mean(axis=1) >= 0.45) & lines_of[:, :end].any(axis=1) & lines_of[:, -end:].any(axis=1)
        for line in np.flatnonzero(grid):
            pixels = out[line] if axis == 0 else out[:, line]
            color = np.median(pixels[lines_of[line]], axis=0)
            pixels[np.linalg.norm(pixels - color, axis=1) < 40] = background
    return out


def ink_layers(
    pixels: np.ndarray, colors: Sequence[np.ndarray], background: np.ndarray, tolerance: float
) -> tuple[np.ndarray, np.ndarray]:
    """Classify pixels as ink of one of ``colors`` (anti-aliasing aware).

    Returns
    -------
    tuple
        ``ink`` (K, h, w) bool, and ``alpha`` (K, h, w) float32: the estimated ink coverage
        of each colour (0 where the pixel does not fit that colour's blend line).
    """
    px = pixels.astype(np.float32) - background.astype(np.float32)
    norm2 = np.einsum("ijk,ijk->ij", px, px)
    k = len(colors)
    alpha = np.zeros((k, *px.shape[:2]), np.float32)
    score = np.full((k, *px.shape[:2]), np.inf, np.float32)
    for i, col in enumerate(colors):
        d = col.astype(np.float32) - background.astype(np.float32)
        dd = max(float(d @ d), 1.0)
        dot = px @ d
        a = dot / dd
        # Squared distances from the blend line and from the colour itself, by expansion.
        residual2 = norm2 - dot * a
        fits = (residual2 <= tolerance**2) & (a <= 1.35)
        hue = d - float(d.mean())  # the colour's chroma (the background is grey)
        if float(hue @ hue) >= 40.0**2:
            # A blend of a chromatic colour keeps its hue: grey text or axis fringes do not
            # fit even when their distance from the blend line is within the tolerance.
            fits &= (px @ hue) >= 0.35 * a * float(hue @ hue)
        alpha[i] = np.where(fits, np.clip(a, 0, 1), 0)
        ok = fits & (a >= 0.5)
        score[i] = np.where(ok, np.maximum(norm2 - 2 * dot + dd, 0), np.inf)
    owner = np.argmin(score, axis=0)
    ink = np.isfinite(score) & (owner[None] == np.arange(k)[:, None, None])
    for i in range(k):  # a pale colour that is also the fringe of a darker curve
        for j in range(k):
            if i != j and _is_fringe_of(colors[i], colors[j], background, tolerance):
                ink[i] &= ~ndimage.binary_dilation(ink[j], iterations=1)
    return ink, alpha


def _is_fringe_of(pale: np.ndarray, dark: np.ndarray, bg: np.ndarray, tol: float) -> bool:
    d = dark.astype(float) - bg
    p = pale.astype(float) - bg
    a = float(p @ d) / max(float(d @ d), 1.0)
    return 0.15 <= a <= 0.9 and float(np.linalg.norm(p - a * d)) <= tol / 2


#: Pixels with channel spread (max - min) at least this are chromatic.
MIN_CHROMA = 50
#: A curve colour differs from the background by at least this RGB distance.
MIN_INK_DISTANCE = 80
#: Achromatic curve candidates are darker than this luminance (lighter greys are grid lines).
MAX_GREY_LUMINANCE = 200


#: Longest side, in pixels, at which curve colours are looked for (a huge image is sampled down to it).
COLOR_WORKING_SIZE = 3000


def detect_curve_colors(image: np.ndarray, frame: Sequence[float], max_colors: int = 4) -> list[str]:
    """Guess the colours of the curves inside the plot frame.

    Heuristic, inside the frame (a few pixels in from the axis lines, so axis labels,
    ticks and a legend outside the frame are never seen):

    * **Chromatic colours.** Pixels with a channel spread of at least :data:`MIN_CHROMA` are
      binned; the most populated bins, in order, give a colour (median of the pixels near
      the bin) unless it is close to one already found or is merely an anti-aliasing blend
      of one already found with the background, or too pale to be a line (closer than
      :data:`MIN_INK_DISTANCE` to the background). A colour needs about 8 % of the frame
      width in pixels and a tenth of the pixels of the most common curve colour, so
      coloured text and JPEG halos rarely qualify.
    * **Black and grey curves.** Dark achromatic pixels at the core of a line (none of
      their neighbours darker) and off grid lines (see :func:`remove_grid_lines`) are grouped
      by luminance peaks. When no chromatic colour was
      found (a monochrome figure) every peak with at least a quarter of the strongest
      one's pixels is a curve; in a colour figure a dark colour is added only if it forms a
      connected line spanning at least 35 % of the frame width (so black annotations are
      not mistaken for a curve).

    Parameters
    ----------
    image
        ``(h, w, 3)`` RGB pixels.
    frame
        ``(left, top, right, bottom)`` of the plot frame.
    max_colors
        At most this many colours are returned.

    Returns
    -------
    list of str
        ``#rrggbb`` colours, chromatic ones first, each group most frequent first.
    """
    step = -(-max(image.shape[0], image.shape[1]) // COLOR_WORKING_SIZE)
    if step > 1:  # every step-th pixel of a huge image: the same colours, a fraction of the memory
        return detect_curve_colors(image[::step, ::step], [v / step for v in frame], max_colors)
    left, top, right, bottom = (int(round(v)) for v in frame)
    region = image[max(top + 3, 0) : bottom - 2, max(left + 3, 0) : right - 2, :3].astype(np.int32)
    if region.size == 0:
        return []
    background = estimate_background(region)
    min_count = max(12, int(0.08 * region.shape[1]))
    found = _chromatic(region, background, min_count, max_colors)
    dark = _achromatic(region, background, min_count, max_colors - len(found), curve_like=bool(found))
    return [format_color(c) for c in found + dark]


def _chromatic(region: np.ndarray, bg: np.ndarray, min_count: int, limit: int) -> list[np.ndarray]:
    px = region.reshape(-1, 3)
    cand = px[px.max(axis=1) - px.min(axis=1) >= MIN_CHROMA]
    if cand.size == 0:
        return []
    keys, counts = np.unique((cand // 16) @ np.array([256, 16, 1]), return_counts=True)
    # Each group is one curve: its colour and the anti-aliasing blends of it with the
    # background (which, for thin lines, can outnumber the pure colour).
    groups: list[list[tuple[np.ndarray, int]]] = []
    for key in keys[np.argsort(-counts, kind="stable")][:64]:
        centre = np.array([key // 256, (key // 16) % 16, key % 16]) * 16 + 8
        near = cand[np.linalg.norm(cand - centre, axis=1) < 40]
        if len(near) < min_count:
            continue
        color = np.median(near, axis=0)
        if np.linalg.norm(color - bg) < MIN_INK_DISTANCE:
            continue  # a pale blend (or JPEG halo) of some curve with the background
        for group in groups:
            if any(_same_curve(color, other, bg) for other, _ in group):
                group.append((color, len(near)))
                break
        else:
            groups.append([(color, len(near))])
    totals = [sum(n for _, n in g) for g in groups]
    order = np.argsort(totals)[::-1]
    found = []
    for group in [groups[i] for i in order if totals[i] >= 0.1 * max(totals)][:limit]:
        biggest = max(n for _, n in group)
        inked = [c for c, n in group if n >= biggest / 4]
        found.append(max(inked, key=lambda c: float(np.linalg.norm(c - bg))))
    return found


def _same_curve(a: np.ndarray, b: np.ndarray, bg: np.ndarray) -> bool:
    """Whether two colours are one curve's colour and/or its blends with the background."""
    return bool(np.linalg.norm(a - b) < 60 or _is_fringe_of(a, b, bg, 80) or _is_fringe_of(b, a, bg, 80))


def _achromatic(region: np.ndarray, bg: np.ndarray, min_count: int, limit: int, curve_like: bool) -> list[np.ndarray]:
    if limit <= 0:
        return []
    region = remove_grid_lines(region, bg)
    spread = region.max(axis=2) - region.min(axis=2)
    lum = region.mean(axis=2)
    mask = (spread < 30) & (lum < MAX_GREY_LUMINANCE) & (np.abs(region - bg).max(axis=2) > 40)
    # Count only the core of lines: a pixel next to a darker one is a fringe (anti-aliasing
    # of a black line looks grey), not a grey curve.
    mask &= lum <= ndimage.minimum_filter(lum, size=3) + 12
    values = lum[mask]
    if values.size < min_count:
        return []
    counts = np.bincount((values // 16).astype(int), minlength=16)
    found: list[np.ndarray] = []
    strongest = 0
    for b in np.argsort(-counts, kind="stable"):
        centre = b * 16 + 8
        near = np.abs(values - centre) < 24
        count = int(near.sum())
        if len(found) >= limit or count < max(min_count, strongest // 4):
            break
        color = np.median(region[mask][near], axis=0)
        if any(abs(color.mean() - f.mean()) < 48 for f in found):
            continue
        if curve_like and not _spans(mask & (np.abs(lum - color.mean()) < 24), 0.35):
            continue
        found.append(color)
        strongest = max(strongest, count)
    return found


def _spans(mask: np.ndarray, fraction: float) -> bool:
    """Whether a connected part of ``mask`` (bridging 1-pixel gaps) spans ``fraction`` of its width."""
    labels, n = ndimage.label(ndimage.binary_dilation(mask), structure=np.ones((3, 3)))
    if n == 0:
        return False
    slices = ndimage.find_objects(labels)
    return max(s[1].stop - s[1].start for s in slices) >= fraction * mask.shape[1]
