"""Starting the app where no window can open, and the README's apt line against what Qt's xcb
platform plugin really loads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_app.gui.display_check import APT_PACKAGES, display_problem, xcb_plugin
from tests.conftest import REPO

#: Packages every Debian system has, or that the packages in the line depend on (so apt installs them).
PULLED_IN = {
    "libc6",
    "libstdc++6",
    "libgcc-s1",
    "zlib1g",
    "libzstd1",
    "liblz4-1",
    "liblzma5",
    "libpcre2-8-0",
    "libexpat1",
    "libpng16-16",
    "libbrotli1",
    "libbsd0",
    "libmd0",
    "libsystemd0",
    "libcap2",
    "libgcrypt20",
    "libgpg-error0",
    "libxau6",
    "libxdmcp6",
    "libglvnd0",
    "libfreetype6",
    "libffi8",
    "libselinux1",
    "libmount1",
    "libblkid1",
}
#: Libraries whose Debian package name is not the usual ``lib<name><soversion>``.
PACKAGE_OF = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libz.so.1": "zlib1g",
    "libdbus-1.so.3": "libdbus-1-3",
    "libfreetype.so.6": "libfreetype6",
    "libpng16.so.16": "libpng16-16",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
}
GLIBC = re.compile(r"^(linux-vdso|ld-linux|libc|libm|libpthread|libdl|librt)[.-]")


def package_by_name(soname: str) -> str:
    """Debian's naming rule: ``libxcb-icccm.so.4`` → ``libxcb-icccm4`` (``-`` before the number
    when the name ends in a digit)."""
    if soname in PACKAGE_OF:
        return PACKAGE_OF[soname]
    name, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    return f"{name.lower()}{'-' if name[-1].isdigit() else ''}{version}"


def debian_package(soname: str, path: str | None) -> str:
    """The package of a library: ``dpkg -S`` when it knows the file, else the naming rule."""
    if path and shutil.which("dpkg"):
        for candidate in {path, os.path.realpath(path)}:
            out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True).stdout
            if out:
                return re.sub(r"t64$", "", out.split(":")[0].strip())
    return package_by_name(soname)


def readme_packages() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"`sudo apt-get install ([^`]+)`", text)
    assert found, "the README has no apt-get line"
    return set(found.group(1).split())


def test_readme_apt_line_covers_what_the_xcb_plugin_loads():
    plugin = xcb_plugin()
    if plugin is None or shutil.which("ldd") is None:
        pytest.skip("no ldd or no xcb plugin on this machine")
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    libraries = {}
    for line in out.splitlines():
        parts = line.split()
        if not parts or GLIBC.match(parts[0]) or "=>" not in parts:
            continue
        target = parts[2] if len(parts) > 2 else ""
        if "PySide6" in target or "shiboken6" in target:  # bundled with the wheel
            continue
        libraries[parts[0]] = None if target == "not" else target
    assert len(libraries) > 10, out
    readme = readme_packages()
    missing = {
        soname: package
        for soname, path in libraries.items()
        if (package := debian_package(soname, path)) not in readme and package not in PULLED_IN
    }
    assert missing == {}, f"add to the README's apt line: {sorted(set(missing.values()))}"
    assert readme >= set(APT_PACKAGES.split()), "the no-display message names packages the README lacks"


def test_no_display_prints_one_paragraph_and_fails():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"
    run = subprocess.run(
        [sys.executable, "-m", "evidence_app"], env=env, capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert run.returncode != 0
    message = run.stderr.strip()
    assert message.count("\n") == 0, message  # one paragraph
    assert "no display" in message and "DISPLAY" in message
    assert "evidence-app --help" in message
    assert "Aborted" not in run.stderr and "qt.qpa.plugin" not in run.stderr


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "xcb"}, "no display"),
        ({}, "no display"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "no display"),
    ],
)
def test_display_problem_by_environment(env, expected):
    problem = display_problem(env)
    assert (problem is None) if expected is None else (expected in (problem or ""))


def test_missing_xcb_libraries_are_named_with_the_apt_line(monkeypatch, tmp_path):
    import evidence_app.gui.display_check as check

    monkeypatch.setattr(check, "xcb_plugin", lambda: Path(tmp_path / "libqxcb.so"))
    monkeypatch.setattr(check, "missing_libraries", lambda plugin: ["libxcb-cursor.so.0"])
    problem = display_problem({"DISPLAY": ":0"})
    assert problem is not None and "libxcb-cursor.so.0" in problem and "libxcb-cursor0" in problem
