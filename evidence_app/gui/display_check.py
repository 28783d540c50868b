"""Before Qt starts: is there a display, and can Qt's X11 (xcb) platform plugin load?

Without a display Qt aborts the process with a message about plugins that does not say what to
do; this check runs first and returns one plain paragraph instead: what is missing and how to
get the same results from the command line. It never imports Qt's widgets.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

#: Platforms that need no display server (tests use "offscreen").
HEADLESS_PLATFORMS = ("offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")
CLI_HINT = (
    "Everything the app computes is also available without a window from the command line: "
    "`evidence-app --help` lists the commands (for example `evidence-app datasets`, `evidence-app analyze ID`, "
    "`evidence-app figure …`, `evidence-app export …`, `evidence-app reconstruct …`)."
)
#: The Debian/Ubuntu packages the xcb platform plugin needs (the README's apt line; a test checks it).
APT_PACKAGES = (
    "libegl1 libgl1 libglx0 libfontconfig1 libdbus-1-3 libglib2.0-0 libx11-6 libx11-xcb1 libxkbcommon0 "
    "libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 "
    "libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 "
    "libxcb-xkb1"
)


def xcb_plugin() -> Path | None:
    """The xcb platform plugin shipped with PySide6, if present."""
    import PySide6

    path = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.is_file() else None


def missing_libraries(plugin: Path) -> list[str]:
    """System libraries the plugin needs that the dynamic loader cannot find.

    Loading the plugin (which Qt does next anyway) is the fast check; only when that fails does
    ``ldd`` list every missing library, so the message names them all at once.
    """
    import ctypes

    try:
        ctypes.CDLL(str(plugin))
        return []
    except OSError as exc:
        found = re.search(r"(\S+\.so[.\d]*): cannot open", str(exc))
        first = [found.group(1) if found else str(exc)]
    ldd = shutil.which("ldd")
    if ldd is None:
        return first
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return first
    return sorted({m.group(1) for m in re.finditer(r"^\s*(\S+)\s+=>\s+not found", out, re.MULTILINE)}) or first


def display_problem(env: Mapping[str, str] | None = None) -> str | None:
    """One paragraph saying why the window cannot open and what to do, or None when it can."""
    env = os.environ if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip().lower()
    if platform in HEADLESS_PLATFORMS:
        return None
    wayland, x11 = bool(env.get("WAYLAND_DISPLAY")), bool(env.get("DISPLAY"))
    if platform == "wayland" and wayland or platform == "" and wayland and not x11:
        return None
    if not (x11 or (wayland and platform in ("", "wayland"))):
        return (
            "Evidence App cannot open its window: no display was found (DISPLAY is not set"
            + (", nor WAYLAND_DISPLAY" if platform != "xcb" else "")
            + "), as when it is started over SSH without X forwarding or on a machine without a desktop. "
            "Start it from a desktop session or with `ssh -X`. " + CLI_HINT
        )
    plugin = xcb_plugin()
    missing = missing_libraries(plugin) if plugin is not None and platform in ("", "xcb") else []
    if missing:
        return (
            "Evidence App cannot open its window: Qt's X11 platform plugin (xcb) needs system libraries "
            f"that are not installed ({', '.join(missing)}). On Debian or Ubuntu install them with "
            f"`sudo apt-get install {APT_PACKAGES}`. " + CLI_HINT
        )
    return None
