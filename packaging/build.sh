#!/usr/bin/env bash
# Build the one-folder desktop bundle dist/evidence-app/ from the working tree, in a clean venv,
# then smoke-test it and print its size and start-up time.
#
# usage: packaging/build.sh [--reuse-venv] [--no-smoke]
#   --reuse-venv  keep an existing build venv (faster; dependencies are still brought up to date)
#   --no-smoke    build only
# environment (all optional):
#   PYTHON=python3                                 interpreter for the build venv (3.11+, shared libpython)
#   BUILD_VENV=${TMPDIR:-/tmp}/evidence-app-build-venv
#   DIST_DIR=<repo>/dist    WORK_DIR=<repo>/build/pyinstaller
#   PYINSTALLER_REQ="pyinstaller>=6.10,<7"
# Runs on Linux and macOS, and on Windows in Git Bash (see packaging/README.md).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
BUILD_VENV="${BUILD_VENV:-${TMPDIR:-/tmp}/evidence-app-build-venv}"
DIST_DIR="${DIST_DIR:-$REPO/dist}"
WORK_DIR="${WORK_DIR:-$REPO/build/pyinstaller}"
PYINSTALLER_REQ="${PYINSTALLER_REQ:-pyinstaller>=6.10,<7}"
REUSE_VENV=0
SMOKE=1
for arg in "$@"; do
    case "$arg" in
        --reuse-venv) REUSE_VENV=1 ;;
        --no-smoke) SMOKE=0 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

say() { printf '\n== %s\n' "$*"; }
started=$SECONDS

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/evidence-app-stage.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT

# pip builds a local folder in place, and setuptools' build/lib keeps modules that were deleted
# since the last build, so install from a fresh copy of the working tree (uncommitted work included,
# VCS data, caches and earlier build output left out).
say "staging the working tree of $REPO"
"$PYTHON" - "$REPO" "$STAGE/src" <<'PY'
import shutil, sys
shutil.copytree(sys.argv[1], sys.argv[2], ignore=shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "__pycache__", "*.pyc", "*.egg-info", ".hypothesis",
    ".pytest_cache", ".mypy_cache", "tests", "benchmarks", "docs", "*.tmp"))
PY

if [ "$REUSE_VENV" -eq 0 ] || [ ! -d "$BUILD_VENV" ]; then
    say "creating a clean build venv in $BUILD_VENV"
    rm -rf "$BUILD_VENV"
    "$PYTHON" -m venv "$BUILD_VENV"
fi
if [ -x "$BUILD_VENV/bin/python" ]; then VPY="$BUILD_VENV/bin/python"; else VPY="$BUILD_VENV/Scripts/python.exe"; fi

say "installing the app and PyInstaller into the build venv"
# Not editable: the bundle is made from the installed copy, exactly what a user's pip install gets.
# (The grep drops pip's notes about index folders configured on some machines but absent.)
"$VPY" -m pip install --quiet --upgrade "$STAGE/src" "$PYINSTALLER_REQ" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
"$VPY" -m pip list --format=freeze 2>/dev/null \
    | grep -iE '^(pyinstaller|pyside6|shiboken6|lifelines|pandas|numpy|scipy|matplotlib|openpyxl|pydantic|pypdfium2)[-_a-z]*==' \
    | tr '\n' ' '
echo

# pyproject.toml lists the packages to install by name: a new subpackage missing from that list
# would be missing from the wheel and so from the bundle, silently. Stop here instead.
mkdir -p "$STAGE/run"
(cd "$STAGE/run" && "$VPY" -I - "$STAGE/src" <<'PY'
import importlib.util, sys
from pathlib import Path
source = Path(sys.argv[1]) / "evidence_app"
installed = Path(importlib.util.find_spec("evidence_app").submodule_search_locations[0])
missing = {}
for p in source.rglob("*.py"):
    if "__pycache__" not in p.parts and not (installed / p.relative_to(source)).is_file():
        folder = p.parent.relative_to(source.parent).as_posix()
        missing[folder] = missing.get(folder, 0) + 1
if missing:
    left_out = ", ".join(f"{folder}/ ({n} files)" for folder, n in sorted(missing.items()))
    sys.exit(f"build.sh: pip install . left out {left_out}\n"
             "  add the package to [tool.setuptools] packages in pyproject.toml")
PY
)

say "running PyInstaller"
# From an empty folder, so no checkout on the current directory can shadow the installed package.
(cd "$STAGE/run" && "$VPY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$WORK_DIR" "$REPO/packaging/evidence_app.spec")

EXE="$DIST_DIR/evidence-app/evidence-app"
[ -f "$EXE.exe" ] && EXE="$EXE.exe"
[ -f "$EXE" ] || { echo "build.sh: PyInstaller produced no $EXE" >&2; exit 1; }
build_seconds=$((SECONDS - started))

status=0
if [ "$SMOKE" -eq 1 ]; then
    say "smoke test"
    "$VPY" "$REPO/packaging/smoke_test.py" "$EXE" || status=$?
fi

say "result"
echo "bundle:     $DIST_DIR/evidence-app"
echo "size:       $(du -sh "$DIST_DIR/evidence-app" | cut -f1) ($(find "$DIST_DIR/evidence-app" -type f | wc -l | tr -d ' ') files)"
if [ -d "$DIST_DIR/Evidence App.app" ]; then
    echo "macOS app:  $DIST_DIR/Evidence App.app ($(du -sh "$DIST_DIR/Evidence App.app" | cut -f1))"
fi
echo "build time: ${build_seconds} s"
echo "run:        $EXE            (no arguments: the desktop app; --help: the commands)"
[ "$status" -eq 0 ] || echo "build.sh: the smoke test FAILED (see above)" >&2
exit "$status"
