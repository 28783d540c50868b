"""``evidence-app digitize PAPER.pdf --auto``: the Kaplan–Meier figures of a PDF read from its vector
drawing, with no ranges, colours or typing (see :mod:`evidence_app.core.digitize.vector_figure`).

Writes per arm the curve, at-risk and censor-time CSVs and a report (``report.json``,
``report.txt``); with ``--reconstruct`` also the patient-level data per arm and a draft dataset
file. One figure goes into ``--out``; several go into ``--out/pageN_figureK`` folders. Every name
is checked before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evidence_app.core.digitize.vector_figure import VectorFigure

#: Options of the pixel digitizer that --auto does not use.
PIXEL_OPTIONS = (("x_range", "--x-range"), ("y_range", "--y-range"), ("colors", "--colors"), ("frame", "--frame"))


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The ``--auto`` options of ``evidence-app digitize``."""
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
    from evidence_app.core.digitize.pdf import looks_like_pdf
    from evidence_app.core.digitize.vector_figure import read_vector_figures
    from evidence_app.errors import InputError

    source = _source(args)
    if not looks_like_pdf(source):
        raise InputError(
            "--auto reads the vector drawing of a PDF; for an image give --x-range and --y-range instead", file=source
        )
    for attribute, option in PIXEL_OPTIONS:
        if getattr(args, attribute, None) is not None:
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
    return _write(args, source, figures)


def check_pixel_arguments(args: argparse.Namespace) -> None:
    """Without --auto: the figure and both axis ranges are needed; the --auto options are not."""
    from evidence_app.errors import InputError

    for option, value in (("--reconstruct", args.reconstruct), ("--figure", args.figure)):
        if value not in (None, False):
            raise InputError(f"{option} goes with --auto (reading a PDF's vector drawing)", location=option)
    if not (args.paper or args.image):
        raise InputError("give the figure: --image FIG (or PAPER.pdf --auto for a PDF's vector drawing)")
    args.image = _source(args)
    for option, value in (("--x-range", args.x_range), ("--y-range", args.y_range)):
        if value is None:
            raise InputError(
                f"{option} is needed to calibrate the figure (for a PDF drawn as vectors, --auto reads the axes)",
                location=option,
            )


def _source(args: argparse.Namespace) -> str:
    from evidence_app.errors import InputError

    if args.paper and args.image and Path(args.paper) != Path(args.image):
        raise InputError(f"two files given ({args.paper} and --image {args.image}); give one")
    source = args.paper or args.image
    if not source:
        raise InputError("give the PDF: evidence-app digitize PAPER.pdf --auto --out DIR")
    return str(source)


def _write(args: argparse.Namespace, source: str, figures: list[VectorFigure]) -> int:
    from evidence_app.core.digitize.vector_output import figure_files, reconstruction_files, write_files
    from evidence_app.errors import ExportError

    out = Path(args.out)
    plan: list[tuple[Path, dict[str, str], list[str]]] = []
    for figure in figures:
        folder = out if len(figures) == 1 else out / f"page{figure.page}_figure{figure.index}"
        files = figure_files(figure, source)
        warnings: list[str] = []
        if args.reconstruct:
            more, warnings = reconstruction_files(figure, source)
            files.update(more)
        plan.append((folder, files, warnings))
    existing = [folder / name for folder, files, _ in plan for name in files if (folder / name).exists()]
    if existing and not args.force:
        names = ", ".join(str(p) for p in existing[:5]) + (" ..." if len(existing) > 5 else "")
        raise ExportError(f"{names} already exist{'s' if len(existing) == 1 else ''}; use --force to replace")
    for folder, files, warnings in plan:
        written = write_files(folder, files, overwrite=args.force)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(files["report.txt"], end="")
        print(f"wrote {len(written)} files to {folder}: {', '.join(p.name for p in written)}")
    return 0
