"""Take the README screenshots of the real app in an X window (run under Xvfb or a desktop).

    Xvfb :99 -screen 0 1600x1000x24 &  DISPLAY=:99 python tools/screenshots.py docs/screenshots [WIDTHxHEIGHT]

Each shot grabs the whole X screen (the real window as the X server shows it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from evidence_app.gui.main_window import MainWindow

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
WIDTH, HEIGHT = (int(v) for v in (sys.argv[2] if len(sys.argv) > 2 else "1580x980").split("x"))


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Evidence App")
    app.setOrganizationName("evidence-app-screenshots")
    from evidence_app.gui.fonts import ensure_fonts

    ensure_fonts(app)
    window = MainWindow()
    window.setGeometry(0, 0, WIDTH, HEIGHT)
    window.show()
    steps = []

    def shot(name: str):
        def take() -> None:
            OUT.mkdir(parents=True, exist_ok=True)
            app.primaryScreen().grabWindow(0).save(str(OUT / name))
            print("wrote", OUT / name)

        return take

    def open_dataset(dataset_id: str, tab: int = 0):
        def run() -> None:
            window.open_dataset(dataset_id)
            window.dataset_view.tabs.setCurrentIndex(tab)

        return run

    def forest() -> None:
        ids = [
            "record1-pfs-final-central",
            "meteor-pfs",
            "checkmate025-pfs",
            "intorsect-pfs",
            "record3-pfs",
            "aspen-pfs",
            "espn-pfs",
            "tempa-pfs",
        ]
        window.library_panel.select_ids(ids)
        window.commands["forest"].trigger()

    steps = [
        (1500, shot("library.png")),
        (100, open_dataset("bolero3-pfs-kmdata")),
        (6000, shot("dataset-curves.png")),
        (100, open_dataset("arcc-os-tem-vs-ifn", 1)),
        (5000, shot("dataset-numbers.png")),
        (100, forest),
        (8000, shot("forest.png")),
        (500, app.quit),
    ]
    delay = 0
    for wait, action in steps:
        delay += wait
        QTimer.singleShot(delay, action)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
