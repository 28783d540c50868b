"""About: the app's version, the versions of what it runs on, licences, and how to cite."""

from __future__ import annotations

import platform
import sys
from datetime import date
from html import escape
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

from evidence_app import __version__
from evidence_app.resources import datasets_dir

#: Distributions whose versions matter for reproducing a number (read without importing them).
COMPONENTS = ("lifelines", "matplotlib", "openpyxl", "numpy", "scipy", "pandas", "pydantic")
APP_LICENCE = "MIT"


def component_versions() -> list[tuple[str, str]]:
    rows = [
        ("Evidence App", __version__),
        ("Python", f"{platform.python_version()} ({sys.platform})"),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
    ]
    for name in COMPONENTS:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


def kmdata_licence() -> str:
    path = datasets_dir() / "LICENSE.kmdata"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"(the licence file {path} could not be read: {exc.strerror})"


def citation_text() -> str:
    return (
        f"Evidence App, version {__version__} ({date.today().year}). Offline desktop app for clinical-trial "
        "survival evidence.\n\nCite the trial publications listed in each dataset's Sources tab for every "
        "number you use. For the patient-level datasets from kmdata, also cite: Redd R. kmdata: "
        "Kaplan-Meier data reconstructed from published figures. R package, https://github.com/raredd/kmdata "
        "(MIT licence).\nReconstruction method: Guyot P, Ades AE, Ouwens MJ, Welton NJ. Enhanced secondary "
        "analysis of survival data: reconstructing the data from published Kaplan-Meier survival curves. "
        "BMC Med Res Methodol 2012;12:9."
    )


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Evidence App")
        self.setObjectName("aboutDialog")
        self.resize(620, 520)
        versions = "".join(
            f"<tr><td>{escape(n)}</td><td>&nbsp;&nbsp;{escape(v)}</td></tr>" for n, v in component_versions()
        )
        header = QLabel(
            f"<h2>Evidence App {__version__}</h2><p>Offline browser for randomized-trial survival "
            f"evidence. Every published number names its source.</p><table>{versions}</table>"
        )
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.setObjectName("aboutVersions")
        tabs = QTabWidget()
        tabs.addTab(self._text(citation_text()), "How to cite")
        tabs.addTab(
            self._text(
                f"Evidence App is distributed under the {APP_LICENCE} licence.\n\n"
                "Bundled datasets hold published numbers with their sources. The kmdata "
                "datasets are distributed under kmdata's licence:\n\n" + kmdata_licence()
            ),
            "Licences",
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)

    @staticmethod
    def _text(text: str) -> QPlainTextEdit:
        box = QPlainTextEdit(text)
        box.setReadOnly(True)
        return box
