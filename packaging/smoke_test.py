#!/usr/bin/env python3
"""Smoke test of the frozen bundle: does the built ``evidence-app`` work on its own?

Runs the executable as a user would, from an empty folder, with a fresh home and no Python
environment variables, so nothing from a source checkout or a venv can leak in::

    python packaging/smoke_test.py [dist/evidence-app/evidence-app]

Checks: ``--version``; ``datasets --json`` lists at least 25 datasets; ``analyze`` of a
patient-level dataset (lifelines inside the bundle); ``export --out X.xlsx --all`` gives a valid
workbook (skipped while the bundle has no ``export`` command); ``figure km`` writes PDF, SVG and
PNG (matplotlib backends loaded on demand); ``digitize`` opens that PDF (the bundled PDFium); the
GUI starts offscreen and is still running after a few seconds with no traceback; on Linux, it
falls back to the bundled fonts when the machine has none, and (with Xvfb and xwininfo) a real
window appears. Prints the start-up times it measured. Standard library only; exit 1 if any check
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXE_NAME = "evidence-app.exe" if sys.platform == "win32" else "evidence-app"
MIN_DATASETS = 25
ANALYZE_ID = "bolero3-pfs-kmdata"
# Cox HR everolimus vs placebo from the kmdata patient-level data (0.78); a wide band, as the point
# of this check is that lifelines runs inside the bundle, not the statistics themselves.
ANALYZE_HR_RANGE = (0.70, 0.86)
BAD_STDERR = (
    "Traceback (most recent call last)",
    "Could not load the Qt platform plugin",
    "ModuleNotFoundError",
    "Cannot find font directory",
)


class SmokeTest:
    def __init__(self, exe: Path, work: Path, gui_seconds: float, require_export: bool) -> None:
        self.exe = exe
        self.work = work
        self.gui_seconds = gui_seconds
        self.require_export = require_export
        self.passed = self.failed = self.skipped = 0
        self.measured: list[str] = []
        self.env = _clean_env(work / "home")

    # --- reporting -------------------------------------------------------------------------------
    def ok(self, name: str, detail: str = "") -> None:
        self.passed += 1
        print(f"PASS {name}" + (f": {detail}" if detail else ""), flush=True)

    def fail(self, name: str, detail: str, stderr: str = "") -> None:
        self.failed += 1
        print(f"FAIL {name}: {detail}", flush=True)
        if stderr.strip():
            print("  stderr (last lines):\n    " + "\n    ".join(stderr.strip().splitlines()[-15:]), flush=True)

    def skip(self, name: str, detail: str) -> None:
        self.skipped += 1
        print(f"SKIP {name}: {detail}", flush=True)

    # --- running the app -------------------------------------------------------------------------
    def run(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None):
        start = time.perf_counter()
        proc = subprocess.run(
            [str(self.exe), *args],
            cwd=self.work,
            env=env or self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
        )
        return proc, time.perf_counter() - start

    def check_cli(self, name: str, *args: str):
        """Run a command; fail the check on a non-zero exit or a traceback. Returns the result or None."""
        try:
            proc, seconds = self.run(*args)
        except subprocess.TimeoutExpired:
            self.fail(name, f"`{' '.join(args)}` did not finish")
            return None, 0.0
        if proc.returncode != 0 or _bad_lines(proc.stderr):
            self.fail(name, f"`{' '.join(args)}` exited {proc.returncode}", proc.stderr)
            return None, seconds
        return proc, seconds

    # --- checks ----------------------------------------------------------------------------------
    def test_version(self) -> None:
        proc, first = self.check_cli("version", "--version")
        if proc is None:
            return
        if not re.fullmatch(r"evidence-app \d+\.\d+\S*", proc.stdout.strip()):
            self.fail("version", f"unexpected output {proc.stdout.strip()!r}")
            return
        repeats = [self.run("--version")[1] for _ in range(3)]
        self.measured.append(f"CLI --version: first run {first:.2f} s, then best of 3 {min(repeats):.2f} s")
        self.ok("version", f"{proc.stdout.strip()} in {first:.2f} s")

    def test_datasets(self) -> None:
        proc, seconds = self.check_cli("datasets", "datasets", "--json")
        if proc is None:
            return
        try:
            rows = json.loads(proc.stdout)
            ids = {row["id"] for row in rows}
        except (ValueError, KeyError, TypeError) as exc:
            self.fail("datasets", f"output is not a JSON list of datasets ({exc})")
            return
        if len(rows) < MIN_DATASETS or ANALYZE_ID not in ids:
            self.fail("datasets", f"{len(rows)} datasets (want >= {MIN_DATASETS}, including {ANALYZE_ID})")
            return
        self.measured.append(f"CLI datasets --json: {seconds:.2f} s")
        self.ok("datasets", f"{len(rows)} datasets in {seconds:.2f} s")

    def test_analyze(self) -> None:
        proc, seconds = self.check_cli("analyze", "analyze", ANALYZE_ID)
        if proc is None:
            return
        if "HR" not in proc.stdout:
            self.fail("analyze", "no hazard ratio in the output")
            return
        self.measured.append(f"CLI analyze {ANALYZE_ID}: {seconds:.2f} s")
        proc, _ = self.check_cli("analyze --json", "analyze", ANALYZE_ID, "--json")
        if proc is None:
            return
        try:
            hr = json.loads(proc.stdout)["computed"]["hr"]["hr"]
        except (ValueError, KeyError, TypeError):
            self.ok("analyze", f"text report in {seconds:.2f} s (JSON has no computed.hr.hr to compare)")
            return
        low, high = ANALYZE_HR_RANGE
        if not low <= hr <= high:
            self.fail("analyze", f"Cox HR {hr:.3f} outside {low}-{high}")
            return
        self.ok("analyze", f"Cox HR {hr:.2f} in {seconds:.2f} s")

    def test_export(self) -> None:
        helped, _ = self.run("--help")
        if not re.search(r"^\s+export\b", helped.stdout, re.MULTILINE):
            if self.require_export:
                self.fail("export", "the bundle has no export command")
            else:
                self.skip("export", "the bundle has no export command yet")
            return
        out = self.work / "smoke-export.xlsx"
        proc, seconds = self.check_cli("export", "export", "--out", str(out), "--all")
        if proc is None:
            return
        problem = _xlsx_problem(out)
        if problem:
            self.fail("export", problem)
            return
        with zipfile.ZipFile(out) as book:
            sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/sheet")]
        self.measured.append(f"CLI export --all: {seconds:.2f} s")
        self.ok("export", f"{out.stat().st_size // 1024} KiB workbook, {len(sheets)} sheets, in {seconds:.2f} s")

    def test_figure(self) -> None:
        """Kaplan-Meier figure to PDF, SVG and PNG: savefig loads those backends on demand."""
        helped, _ = self.run("--help")
        if not re.search(r"^\s+figure\b", helped.stdout, re.MULTILINE):
            self.skip("figure", "the bundle has no figure command yet")
            return
        magic = {"pdf": b"%PDF", "svg": b"<svg", "png": b"\x89PNG"}
        for ext, signature in magic.items():
            out = self.work / f"smoke-km.{ext}"
            proc, _ = self.check_cli(f"figure .{ext}", "figure", "km", ANALYZE_ID, "--out", str(out))
            if proc is None:
                return
            head = out.read_bytes()[:4096] if out.is_file() else b""
            if signature not in head:
                self.fail("figure", f"{out.name} is not a {ext.upper()} file")
                return
        self.ok("figure", "Kaplan-Meier plot written as PDF, SVG and PNG")

    def test_pdf_page(self) -> None:
        """The digitizer reads PDF pages with the bundled PDFium: asking for page 2 of the one-page
        figure just written must give the app's own message, not an ImportError."""
        pdf = self.work / "smoke-km.pdf"
        if not pdf.is_file():
            self.skip("pdf page", "no PDF figure was written")
            return
        proc, _ = self.run(
            "digitize",
            "--image",
            str(pdf),
            "--page",
            "2",
            "--x-range",
            "0,24",
            "--y-range",
            "0,1",
            "--out",
            str(self.work / "curves"),
        )
        if proc.returncode != 1 or "the PDF has 1 page" not in proc.stderr or _bad_lines(proc.stderr):
            self.fail("pdf page", f"digitize --page 2 exited {proc.returncode}", proc.stderr)
            return
        self.ok("pdf page", "PDFium loads and counts the pages of a PDF")

    def test_gui_offscreen(self) -> None:
        still_running, code, stderr = self.run_gui(dict(self.env, QT_QPA_PLATFORM="offscreen"))
        if not still_running:
            self.fail("gui offscreen", f"exited early with code {code}", stderr)
        elif bad := _bad_lines(stderr):
            self.fail("gui offscreen", f"still running after {self.gui_seconds:g} s, but: {bad[0]}", stderr)
        else:
            self.ok("gui offscreen", f"still running after {self.gui_seconds:g} s, no traceback")

    def _start_app(self, env: dict[str, str]) -> subprocess.Popen[str]:
        """The frozen app with no arguments (the GUI), its output piped as text."""
        return subprocess.Popen(
            [str(self.exe)],
            cwd=self.work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )

    def run_gui(self, env: dict[str, str]) -> tuple[bool, int | None, str]:
        """Start the app with no arguments for ``gui_seconds``: (still running then, exit code, stderr)."""
        proc = self._start_app(env)
        try:
            proc.wait(timeout=self.gui_seconds)
        except subprocess.TimeoutExpired:
            _stop(proc)
            return True, None, proc.communicate()[1]
        return False, proc.returncode, proc.communicate()[1]

    def test_gui_without_fonts(self) -> None:
        """Linux only: on a machine with no fonts at all, the GUI must fall back to bundled DejaVu."""
        name = "gui without system fonts"
        if not sys.platform.startswith("linux"):
            self.skip(name, "Linux only (fontconfig)")
            return
        config = self.work / "no-fonts.conf"
        config.write_text(
            f'<?xml version="1.0"?>\n<fontconfig><cachedir>{self.work / "fc-cache"}</cachedir></fontconfig>\n',
            encoding="utf-8",
        )
        _, _, stderr = self.run_gui(dict(self.env, QT_QPA_PLATFORM="offscreen", FONTCONFIG_FILE=str(config)))
        # The message evidence_app.gui.fonts.ensure_fonts logs when it steps in.
        if "using bundled DejaVu Sans" in stderr:
            self.ok(name, "bundled DejaVu Sans registered")
        else:
            self.fail(
                name,
                "text would show as empty boxes: run_gui does not call evidence_app.gui.fonts.ensure_fonts(app)",
                stderr,
            )

    def test_gui_window(self) -> None:
        """Linux only: start the GUI on a virtual X display and time its first window, twice.

        The first start has a fresh home (no matplotlib font cache, no settings), as for a new
        user; the second finds those files and the app's own files in the disk cache.
        """
        name = "gui window (Xvfb)"
        if not sys.platform.startswith("linux"):
            self.skip(name, "Linux only")
            return
        if not (shutil.which("Xvfb") and shutil.which("xwininfo")):
            self.skip(name, "Xvfb or xwininfo not installed (apt-get install xvfb x11-utils)")
            return
        with _Xvfb() as display:
            if display is None:
                self.skip(name, "Xvfb did not start")
                return
            env = dict(_clean_env(self.work / "home-window"), DISPLAY=display, QT_QPA_PLATFORM="xcb")
            times = []
            for _ in range(2):
                shown, stderr = self._time_to_window(env)
                if shown is None:
                    self.fail(name, "no window titled 'Evidence App…' appeared", stderr)
                    return
                bad = _bad_lines(stderr)
                if bad:
                    self.fail(name, f"window shown, but: {bad[0]}", stderr)
                    return
                times.append(shown)
        self.measured.append(
            f"GUI start to first window (Xvfb): first start {times[0]:.2f} s, next start {times[1]:.2f} s"
        )
        self.ok(name, f"window after {times[0]:.2f} s")

    def _time_to_window(self, env: dict[str, str]) -> tuple[float | None, str]:
        start = time.perf_counter()
        proc = self._start_app(env)
        shown = None
        while time.perf_counter() - start < max(self.gui_seconds, 30) and proc.poll() is None:
            tree = subprocess.run(
                ["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, errors="replace"
            ).stdout
            if '"Evidence App' in tree:
                shown = time.perf_counter() - start
                break
            time.sleep(0.05)
        _stop(proc)
        _, stderr = proc.communicate()
        return shown, stderr

    def run_all(self) -> int:
        print(f"smoke test of {self.exe}", flush=True)
        for check in (
            self.test_version,
            self.test_datasets,
            self.test_analyze,
            self.test_export,
            self.test_figure,
            self.test_pdf_page,
            self.test_gui_offscreen,
            self.test_gui_without_fonts,
            self.test_gui_window,
        ):
            check()
        if self.measured:
            print("measured:\n  " + "\n  ".join(self.measured))
        summary = f"{self.passed} passed, {self.failed} failed"
        print(summary + (f", {self.skipped} skipped" if self.skipped else ""))
        return 1 if self.failed else 0


def _clean_env(home: Path) -> dict[str, str]:
    """The user's environment minus anything Python- or venv-related, with ``home`` as a fresh home."""
    drop = {
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "VIRTUAL_ENV",
        "QT_PLUGIN_PATH",
        "QT_QPA_PLATFORM",
        "MPLBACKEND",
        "LD_LIBRARY_PATH",
        "FONTCONFIG_FILE",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    for sub in ("config", "cache", "data"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        EVIDENCE_APP_HOME=str(home / "evidence-app"),
        MPLCONFIGDIR=str(home / "mpl"),
        PYTHONIOENCODING="utf-8",
    )
    return env


def _bad_lines(stderr: str) -> list[str]:
    return [line.strip() for line in stderr.splitlines() if any(bad in line for bad in BAD_STDERR)]


def _xlsx_problem(path: Path) -> str | None:
    """Why ``path`` is not a readable xlsx workbook, or None if it is one."""
    if not path.is_file():
        return f"{path.name} was not written"
    if not zipfile.is_zipfile(path):
        return f"{path.name} is not a zip archive"
    with zipfile.ZipFile(path) as book:
        broken = book.testzip()
        if broken:
            return f"{path.name}: corrupt member {broken}"
        names = set(book.namelist())
        for required in ("[Content_Types].xml", "xl/workbook.xml"):
            if required not in names:
                return f"{path.name} has no {required}"
        if not any(n.startswith("xl/worksheets/sheet") for n in names):
            return f"{path.name} has no worksheet"
        if b"<sheets>" not in book.read("xl/workbook.xml") and b"<sheet " not in book.read("xl/workbook.xml"):
            return f"{path.name}: xl/workbook.xml lists no sheets"
    return None


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _Xvfb:
    """A private Xvfb server for one check; yields its DISPLAY, or None if none would start.

    Picks a random high display number rather than Xvfb's ``-displayfd`` (which starts at :0),
    so that test suites running their own Xvfb at the same time do not collide with it.
    """

    def __enter__(self) -> str | None:
        self.proc: subprocess.Popen | None = None
        for _ in range(5):
            number = random.randint(100, 999)
            if Path(f"/tmp/.X{number}-lock").exists() or Path(f"/tmp/.X11-unix/X{number}").exists():
                continue
            self.proc = subprocess.Popen(
                ["Xvfb", f":{number}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            display = f":{number}"
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                probe = subprocess.run(
                    ["xwininfo", "-root"], env=dict(os.environ, DISPLAY=display), capture_output=True
                )
                if probe.returncode == 0:
                    return display
                time.sleep(0.1)
            self._stop()
        return None

    def _stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __exit__(self, *exc: object) -> None:
        self._stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "exe",
        nargs="?",
        type=Path,
        default=REPO / "dist" / "evidence-app" / EXE_NAME,
        help="the frozen executable (default: dist/evidence-app/%(default)s)",
    )
    parser.add_argument("--gui-seconds", type=float, default=8.0, help="how long the GUI must stay up")
    parser.add_argument("--require-export", action="store_true", help="fail, not skip, without an export command")
    args = parser.parse_args(argv)
    exe = args.exe.resolve()
    if not exe.is_file():
        print(f"FAIL no executable at {exe} (build it with packaging/build.sh)")
        print("0 passed, 1 failed")
        return 1
    with tempfile.TemporaryDirectory(prefix="evidence-app-smoke-") as work:
        return SmokeTest(exe, Path(work), args.gui_seconds, args.require_export).run_all()


if __name__ == "__main__":
    sys.exit(main())
