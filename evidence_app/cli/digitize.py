"""``evidence-app digitize``: the Kaplan–Meier curves of a figure (an image, or a page of a PDF) as
``time,survival`` CSV files.

A thin shell around :func:`evidence_app.core.digitize.extract.digitize_figure`, the function the
GUI digitizer runs in a worker. Each CSV is ready for ``evidence-app reconstruct --curve``.
"""

from __future__ import annotations

import argparse
import math
import sys

from evidence_app.cli import digitize_vector
from evidence_app.core import limits

EPILOG = (
    "Example: evidence-app digitize --image fig2.png --x-range 0,24 --y-range 0,1 --out curves/\n"
    "From page 5 of a paper: evidence-app digitize --image paper.pdf --page 5 --x-range 0,36 \\\n"
    "    --y-range 0,100 --out curves/\n"
    "A range starting below zero is written with '=': --x-range=-1,24.\n"
    "From a PDF's own drawing, no ranges or colours: evidence-app digitize paper.pdf --page 5 --auto \\\n"
    "    --reconstruct --out trial/\n"
    f"Limits: figures up to {limits.MAX_FIGURE_BYTES // 2**20} MB, {limits.MAX_PIXELS // 1_000_000} megapixels "
    f"and {limits.MAX_IMAGE_SIDE:,} pixels on a side;\n"
    f"x-range within +-{limits.MAX_TIME:,.0f}, y-range within {limits.SURVIVAL_AXIS_MIN:g} to "
    f"{limits.SURVIVAL_AXIS_MAX:g}."
)


def _digitize(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "digitize",
        help="extract Kaplan–Meier curves from a figure (PNG/JPEG, or a PDF page) to CSV files",
        description="Find the plot frame, calibrate it from the axis ranges, find the curve colours (or take\n"
        "them from --colors) and trace each curve. Writes one time,survival CSV per curve, named by\n"
        "its colour (curve_1f77b4.csv), ready for 'evidence-app reconstruct'. A PDF page is rendered at\n"
        "300 dpi (--dpi) and read whole: when its other content hides the plot frame, give --frame\n"
        "in pixels of the rendered page.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--image", metavar="FIG", help="the figure: a PNG or JPEG image, or a PDF")
    digitize_vector.add_arguments(p)
    p.add_argument("--page", type=int, metavar="N", help="for a PDF: the page holding the figure, from 1 (default 1)")
    p.add_argument(
        "--dpi",
        type=float,
        metavar="D",
        help="for a PDF: the resolution the page is rendered at, dots per inch (default 300)",
    )
    p.add_argument(
        "--x-range",
        metavar="X0,X1",
        help="time at the left and right edges of the plot frame (the x-axis limits), e.g. 0,24",
    )
    p.add_argument(
        "--y-range",
        metavar="Y0,Y1",
        help="survival at the bottom and top edges of the frame, e.g. 0,1 (or 0,100 for percent)",
    )
    colors = p.add_mutually_exclusive_group()
    colors.add_argument("--colors", metavar="'#RRGGBB,...'", help="the curve colours (default: detected)")
    colors.add_argument(
        "--max-colors", type=int, default=4, metavar="N", help="detect at most N curve colours (default 4)"
    )
    p.add_argument(
        "--frame",
        metavar="LEFT,TOP,RIGHT,BOTTOM",
        help="the plot frame in pixels, when it cannot be detected (a plot without axis lines)",
    )
    p.add_argument(
        "--tolerance", type=float, default=None, metavar="T", help="colour tolerance, RGB distance (default 60)"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the CSV files (created if needed)")
    p.add_argument("--force", action="store_true", help="replace CSV files that already exist")
    p.set_defaults(handler=run_digitize)


def parse_numbers(text: str, option: str, count: int, example: str) -> list[float]:
    """``"0,24"`` (also ``"0;24"`` or ``"0 24"``) to ``count`` numbers."""
    from evidence_app.errors import InputError

    parts = [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise InputError(f"expected {count} numbers like {example}, found {text!r}", location=option)
    return values


def parse_range(text: str, option: str) -> tuple[float, float]:
    """An axis range ``"0,24"``: two numbers, low then high."""
    from evidence_app.errors import InputError

    low, high = parse_numbers(text, option, 2, "0,24")
    if not low < high:
        raise InputError(f"expected the low value first and a larger high value, found {text!r}", location=option)
    return low, high


def run_digitize(args: argparse.Namespace) -> int:
    from pathlib import Path

    from evidence_app.core.digitize import workflow
    from evidence_app.core.digitize.extract import DEFAULT_TOLERANCE
    from evidence_app.core.digitize.load import load_figure
    from evidence_app.core.digitize.pdf import check_dpi, looks_like_pdf, pdf_page_count
    from evidence_app.errors import ExportError, InputError

    if args.auto:
        return digitize_vector.run_auto(args)
    digitize_vector.check_pixel_arguments(args)
    x_range = parse_range(args.x_range, "--x-range")
    y_range = parse_range(args.y_range, "--y-range")
    if args.max_colors < 1:
        raise InputError(f"expected at least 1, found {args.max_colors}", location="--max-colors")
    colors = [c.strip() for c in args.colors.split(",") if c.strip()] if args.colors is not None else None
    if colors is not None and not colors:
        raise InputError("expected colours like '#1f77b4,#ff7f0e'", location="--colors")
    given_frame = parse_numbers(args.frame, "--frame", 4, "80,40,560,350") if args.frame else None
    pdf = looks_like_pdf(args.image)
    for option, value in (("--page", args.page), ("--dpi", args.dpi)):
        if value is not None and not pdf:
            raise InputError(f"{args.image} is an image, not a PDF; {option} is for PDF files only", location=option)
    if args.dpi is not None:
        try:
            check_dpi(args.dpi)
        except InputError as exc:
            raise InputError(exc.message, location="--dpi") from None
    if pdf and args.page is None and (pages := pdf_page_count(args.image)) > 1:
        print(f"note: {args.image} has {pages} pages; reading page 1 (choose another with --page)", file=sys.stderr)
    figure = load_figure(args.image, page=args.page, dpi=args.dpi)
    try:
        if colors is None:
            found = workflow.find_colors(figure, given_frame, args.max_colors)
            box, colors = found.frame, list(found.colors)
        else:
            box = workflow.PlotFrame(*given_frame) if given_frame is not None else workflow.find_frame(figure)
    except InputError as exc:
        if exc.message.startswith(workflow.NO_COLORS):
            hint = "no curves found: no curve colours inside the plot frame; give them with --colors"
        else:
            hint = exc.message.replace("give the frame or the axis calibration by hand", "give the frame with --frame")
        raise InputError(hint, file=args.image) from None
    tolerance = DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance
    frame = (box.left, box.top, box.right, box.bottom)
    request = workflow.ExtractionRequest(None, x_range, y_range, frame, tuple(colors), tolerance)
    result = workflow.extract(figure, request).result
    out = Path(args.out)
    existing = [p for p in (out / f"curve_{c.color.lstrip('#')}.csv" for c in result.curves) if p.exists()]
    if existing and not args.force:
        names = ", ".join(str(p) for p in existing)
        raise ExportError(f"{names} already exist{'s' if len(existing) == 1 else ''}; use --force to replace")
    paths = workflow.write_curves(result, out)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path, curve in zip(paths, result.curves):
        print(
            f"wrote {path}: colour {curve.color}, {len(curve.time)} points, survival {curve.survival[0]:.3g} "
            f"to {curve.survival[-1]:.3g} over time {curve.time[0]:g}–{curve.time[-1]:g}, "
            f"{curve.visible_fraction:.0%} visible"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    _digitize(sub)
