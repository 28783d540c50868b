"""The desktop bundle's recipe, checked without building it (a real build takes minutes).

``packaging/build.sh`` builds and smoke-tests the bundle; these tests catch the cheap mistakes:
a spec that does not parse, bundled data that lands where ``evidence_app.resources`` does not look,
a dataset file the spec would leave out, a build script that lost its executable bit, and the
fallback font that keeps a font-less machine from showing empty boxes.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from evidence_app import __version__, resources

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "packaging"
SPEC = PACKAGING / "evidence_app.spec"


def _spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


def _calls(tree: ast.AST, function: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function
    ]


def _bundled_folders() -> dict[str, tuple[str, tuple[str, ...]]]:
    """{source folder: (destination in the bundle, glob patterns)} from the spec's ``_files`` calls."""
    folders = {}
    for call in _calls(_spec_tree(), "_files"):
        if len(call.args) != 3 or not isinstance(call.args[0], ast.BinOp):
            continue  # the function's own definition and recursive uses, if any
        source = ast.literal_eval(call.args[0].right)
        folders[source] = (ast.literal_eval(call.args[1]), ast.literal_eval(call.args[2]))
    return folders


def test_spec_is_python_and_builds_the_named_one_folder_app():
    tree = _spec_tree()
    names = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= names
    assigned = {
        t.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    assert ast.literal_eval(assigned["APP_NAME"]) == "evidence-app"
    scripts = _calls(tree, "Analysis")[0].args[0]
    assert "entry.py" in ast.unparse(scripts)


def test_spec_bundles_datasets_resources_lifelines_data_and_every_app_module():
    assert set(_bundled_folders()) == {"datasets", "resources"}
    tree = _spec_tree()
    data_packages = {ast.literal_eval(c.args[0]) for c in _calls(tree, "collect_data_files")}
    assert "lifelines" in data_packages
    # Command modules are plain imports of the CLI, so the spec needs no hidden-import list.
    assert not _calls(tree, "collect_submodules")


def test_every_cli_command_module_is_a_plain_import_of_the_cli():
    from evidence_app.cli import entry as cli_main

    cli_folder = Path(cli_main.__file__).parent
    modules = {p.stem for p in cli_folder.glob("*.py")} - {"__init__", "entry", "common"}
    registered = {group.__name__.rsplit(".", 1)[-1] for group in cli_main.COMMAND_GROUPS}
    assert registered == modules
    source = Path(cli_main.__file__).read_text(encoding="utf-8")
    assert "importlib" not in source


def test_spec_bundles_the_pdfium_library_pypdfium2_loads_at_run_time():
    # pypdfium2_raw loads PDFium with ctypes from its own folder, which import analysis cannot see.
    tree = _spec_tree()
    assert {ast.literal_eval(c.args[0]) for c in _calls(tree, "collect_dynamic_libs")} == {"pypdfium2_raw"}
    assert {"pypdfium2", "pypdfium2_raw"} <= {ast.literal_eval(c.args[0]) for c in _calls(tree, "collect_data_files")}
    assert ast.unparse(_calls(tree, "Analysis")[0]).count("binaries=binaries") == 1
    raw = Path(importlib.util.find_spec("pypdfium2_raw").origin).parent
    libraries = [p.name for p in raw.iterdir() if p.name.endswith((".so", ".dll", ".dylib"))]
    assert libraries, f"no PDFium library in {raw}: the spec would bundle nothing"
    assert (raw / "version.json").is_file()


@pytest.mark.parametrize("name", ["datasets", "resources"])
def test_bundle_destination_is_where_the_frozen_app_looks(name, tmp_path, monkeypatch):
    destination, _ = _bundled_folders()[name]
    (tmp_path / destination).mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.bundled_dir(name) == tmp_path / name


@pytest.mark.parametrize("name", ["datasets", "resources"])
def test_spec_patterns_cover_every_file_in_the_bundled_folders(name):
    _, patterns = _bundled_folders()[name]
    folder = REPO / name
    files = [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not p.name.startswith(".")
        and p.suffix not in {".pyc", ".tmp"}
    ]
    assert files, f"{name}/ is empty"
    matched = {p.relative_to(folder).as_posix() for pattern in patterns for p in folder.glob(pattern)}
    left_out = sorted(set(files) - matched)
    assert left_out == [], f"the spec would not bundle {left_out}"


def test_every_app_package_is_installed_by_pyproject():
    # pyproject.toml names its packages one by one; one left out is missing from `pip install .`
    # and from the bundle, which is built from the installed package.
    with open(REPO / "pyproject.toml", "rb") as fh:
        listed = set(tomllib.load(fh)["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "evidence_app").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert on_disk - listed == set(), "add to [tool.setuptools] packages in pyproject.toml"


def test_build_scripts_are_executable():
    if sys.platform == "win32":
        pytest.skip("no executable bit on Windows checkouts")
    for script in ("build.sh", "smoke_test.py"):
        assert os.access(PACKAGING / script, os.X_OK), f"chmod +x packaging/{script}"
    assert (PACKAGING / "build.sh").read_text(encoding="utf-8").startswith("#!/usr/bin/env bash")


def test_entry_script_runs_the_cli():
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "entry.py"), "--version"], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"evidence-app {__version__}"


def test_smoke_test_recognises_a_workbook_and_a_broken_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # no __pycache__ in packaging/
    sys.path.insert(0, str(PACKAGING))
    try:
        import smoke_test
    finally:
        sys.path.remove(str(PACKAGING))
    openpyxl = pytest.importorskip("openpyxl")
    good = tmp_path / "good.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "hazard ratio"
    book.save(good)
    assert smoke_test._xlsx_problem(good) is None
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    assert "not a zip" in smoke_test._xlsx_problem(bad)


def test_fallback_fonts_are_found_in_matplotlib_data():
    from evidence_app.gui.fonts import FALLBACK_FILES, fallback_font_files

    names = {path.name for path in fallback_font_files()}
    assert "DejaVuSans.ttf" in names
    assert names <= set(FALLBACK_FILES)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fontconfig is the Linux font source")
def test_machine_without_fonts_still_draws_text(tmp_path):
    # A fontconfig configuration with no font folders: what a bare container or thin client offers.
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<fontconfig><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>\n')
    code = textwrap.dedent("""
        from PySide6.QtGui import QFontMetrics
        from PySide6.QtWidgets import QApplication
        from evidence_app.gui.fonts import ensure_fonts
        app = QApplication([])
        before = QFontMetrics(app.font()).inFont("A")
        family = ensure_fonts(app)
        print(before, family, QFontMetrics(app.font()).inFont("A"))
    """)
    env = dict(os.environ, FONTCONFIG_FILE=str(config), QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "DejaVu", "Sans", "True"]
