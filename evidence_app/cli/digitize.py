"""``evidence-app digitize``: the Kaplan–Meier curves of a figure (an image, or a page of a PDF) as
``time,survival`` CSV files.

A thin shell around :func:`evidence_app.core.digitize.extract.digitize_figure`, the function the
GUI digitizer runs in a worker. Each CSV is ready for ``evidence-app reconstruct --curve``.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from evidence_app.cli.common import terminal_progress
from evidence_app.core import limits
from evidence_app.core.progress import ProgressCallback

if TYPE_CHECKING:  # the digitizer's modules load numpy, pandas and scipy: only when a command runs
    from evidence_app.core.digitize.extract import DigitizeResult

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
    _auto_arguments(p)
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
    from evidence_app.core.digitize.pdf import check_dpi, looks_like_pdf, pdf_page_count
    from evidence_app.errors import ExportError, InputError

    if args.auto:
        return run_auto(args)
    _check_pixel_arguments(args)
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
    with terminal_progress() as progress:
        result = _read_curves(args, (x_range, y_range), colors, given_frame, progress)
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


def _read_curves(
    args: argparse.Namespace,
    ranges: tuple[tuple[float, float], tuple[float, float]],
    colors: list[str] | None,
    given_frame: list[float] | None,
    progress: ProgressCallback,
) -> DigitizeResult:
    """Open the figure, find the frame and the colours (unless given) and trace the curves, each
    step reported on ``progress`` (a large figure takes seconds)."""
    from pathlib import Path

    from evidence_app.core.digitize import workflow
    from evidence_app.core.digitize.extract import DEFAULT_TOLERANCE
    from evidence_app.core.digitize.load import load_figure
    from evidence_app.core.progress import report, scaled
    from evidence_app.errors import InputError

    report(progress, 0.0, f"Reading {Path(args.image).name}")
    figure = load_figure(args.image, page=args.page, dpi=args.dpi)
    try:
        if colors is None:
            found = workflow.find_colors(figure, given_frame, args.max_colors, progress=scaled(progress, 0.15, 0.3))
            box, colors = found.frame, list(found.colors)
        elif given_frame is not None:
            box = workflow.PlotFrame(*given_frame)
        else:
            box = workflow.find_frame(figure, progress=scaled(progress, 0.15, 0.3))
    except InputError as exc:
        if exc.message.startswith(workflow.NO_COLORS):
            hint = "no curves found: no curve colours inside the plot frame; give them with --colors"
        else:
            hint = exc.message.replace("give the frame or the axis calibration by hand", "give the frame with --frame")
        raise InputError(hint, file=args.image) from None
    tolerance = DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance
    frame = (box.left, box.top, box.right, box.bottom)
    request = workflow.ExtractionRequest(None, ranges[0], ranges[1], frame, tuple(colors), tolerance)
    result = workflow.extract(figure, request, progress=scaled(progress, 0.3, 1.0)).result
    report(progress, 1.0, "Curves traced")
    return result


# -- --auto: the figure read from a PDF's vector drawing (core.digitize.vector_figure) ---------------
def _auto_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paper", nargs="?", metavar="PAPER.pdf", help="the PDF to read (or give it with --image)")
    p.add_argument(
        "--auto",
        action="store_true",
        help="read the figure from the PDF's vector drawing: axes from the tick labels, curves, censor "
        "marks, numbers at risk and arm names from the page itself (no ranges or colours to give)",
    )
    p.add_argument(
        "--reconstruct",
        action="store_true",
        help="with --auto: also reconstruct patient-level data per arm (ARM_ipd.csv) and write a draft dataset.json",
    )
    p.add_argument("--figure", type=int, metavar="K", help="with --auto: only the K-th figure of the page (from 1)")


def run_auto(args: argparse.Namespace) -> int:
    """Per figure: arm CSVs and a report (and with --reconstruct patient-level data and a dataset)."""
    from evidence_app.core.digitize.pdf import looks_like_pdf
    from evidence_app.core.digitize.vector_figure import read_vector_figures
    from evidence_app.core.digitize.vector_output import plan_outputs, write_outputs
    from evidence_app.errors import InputError

    source = _source(args, "give the PDF: evidence-app digitize PAPER.pdf --auto --out DIR")
    if not looks_like_pdf(source):
        raise InputError(
            "--auto reads the vector drawing of a PDF; for an image give --x-range and --y-range", file=source
        )
    for option in ("--x-range", "--y-range", "--colors", "--frame"):
        if getattr(args, option[2:].replace("-", "_")) is not None:
            print(f"note: {option} is not used with --auto (the axes are read from the tick labels)", file=sys.stderr)
    pages = read_vector_figures(source, args.page)
    for page in pages:
        for note in page.notes:
            print(f"note: page {page.page}: {note}", file=sys.stderr)
    figures = [figure for page in pages for figure in page.figures]
    if not figures:
        where = f"page {args.page}" if args.page is not None else "any page"
        raise InputError(
            f"no Kaplan–Meier figure drawn as vector curves on {where}; for a scanned figure give "
            "--x-range and --y-range (the pixel digitizer) instead of --auto",
            file=source,
        )
    if args.figure is not None:
        if not 1 <= args.figure <= len(figures):
            raise InputError(f"there is no figure {args.figure}: found {len(figures)}", location="--figure")
        figures = [figures[args.figure - 1]]
    plan = plan_outputs(figures, source, args.out, args.reconstruct)
    for output, written in zip(plan, write_outputs(plan, args.force)):
        for warning in output.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(output.files["report.txt"], end="")
        print(f"wrote {len(written)} files to {output.folder}: {', '.join(p.name for p in written)}")
    return 0


def _check_pixel_arguments(args: argparse.Namespace) -> None:
    """Without --auto: the figure and both axis ranges are needed; the --auto options are not."""
    from evidence_app.errors import InputError

    for option, value in (("--reconstruct", args.reconstruct), ("--figure", args.figure)):
        if value not in (None, False):
            raise InputError(f"{option} goes with --auto (reading a PDF's vector drawing)", location=option)
    args.image = _source(args, "give the figure: --image FIG (or PAPER.pdf --auto for a PDF's vector drawing)")
    for option, value in (("--x-range", args.x_range), ("--y-range", args.y_range)):
        if value is None:
            raise InputError(
                f"{option} is needed to calibrate the figure (for a PDF drawn as vectors, --auto reads the axes)",
                location=option,
            )


def _source(args: argparse.Namespace, missing: str) -> str:
    from evidence_app.errors import InputError

    if args.paper and args.image and args.paper != args.image:
        raise InputError(f"two files given ({args.paper} and --image {args.image}); give one")
    if not (args.paper or args.image):
        raise InputError(missing)
    return str(args.paper or args.image)


def register(sub: argparse._SubParsersAction) -> None:
    _digitize(sub)
