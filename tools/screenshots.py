"""Take the README screenshots of the real app in an X window (run under Xvfb or a desktop).

    Xvfb :99 -screen 0 1366x768x24 &  DISPLAY=:99 python tools/screenshots.py docs/screenshots [WIDTHxHEIGHT]

The default size is a 1366 x 768 laptop screen. Each shot grabs the whole X screen (the real
window as the X server shows it): the library, a dataset's curves and numbers, the forest view,
and the digitizer with a Kaplan–Meier figure (drawn here from a bundled dataset's patient-level
data) calibrated by its frame and its curves extracted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from evidence_app.gui.main_window import MainWindow

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
WIDTH, HEIGHT = (int(v) for v in (sys.argv[2] if len(sys.argv) > 2 else "1366x768").split("x"))
DIGITIZED = "bolero3-pfs-kmdata"  # its patient-level curves are drawn as the figure the digitizer opens
FOREST = [
    "record1-pfs-final-central",
    "meteor-pfs",
    "checkmate025-pfs",
    "intorsect-pfs",
    "record3-pfs",
    "aspen-pfs",
    "espn-pfs",
    "tempa-pfs",
]


def km_png(path: Path) -> None:
    """A plain Kaplan–Meier figure of :data:`DIGITIZED` (boxed axes, 0-120 weeks by 0-1), as a paper prints it."""
    import numpy as np
    from matplotlib.figure import Figure

    from evidence_app.core.datasets.library import load_library

    dataset = load_library(include_user=False).get(DIGITIZED)
    fig = Figure(figsize=(6.4, 4.2), dpi=110)
    ax = fig.add_axes((0.1, 0.13, 0.86, 0.8))
    for arm, color in zip(dataset.arms, ("#1f77b4", "#ff7f0e")):
        data = dataset.curve.arms[arm.id]  # type: ignore[union-attr]
        time, event = np.asarray(data.time), np.asarray(data.event)
        steps, level = [0.0], [1.0]
        for t in np.unique(time[event == 1]):
            at_risk, died = (time >= t).sum(), ((time == t) & (event == 1)).sum()
            steps.append(float(t))
            level.append(level[-1] * (1 - died / at_risk))
        ax.step([*steps, float(time.max())], [*level, level[-1]], where="post", color=color, lw=1.4, label=arm.label)
    ax.set_xlim(0, 120)
    ax.set_ylim(0, 1)
    ax.set_xticks(range(0, 121, 24))
    ax.set_xlabel("Weeks")
    ax.set_ylabel("Progression-free survival")
    ax.legend(loc="upper right", frameon=False)
    fig.savefig(path)


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Evidence App")
    app.setOrganizationName("evidence-app-screenshots")
    QSettings().clear()  # the first-start layout, whatever an earlier run left
    from evidence_app.gui.fonts import ensure_fonts

    ensure_fonts(app)
    window = MainWindow()
    window.setGeometry(0, 0, WIDTH, HEIGHT)
    window.show()
    digitizer: dict[str, Any] = {}

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
        window.library_panel.select_ids(FOREST)
        window.commands["forest"].trigger()

    def digitize() -> None:
        from evidence_app.gui.digitizer import DigitizerWindow
        from evidence_app.gui.workers import JobRunner

        figure = OUT / ".digitizer-figure.png"
        km_png(figure)
        win = DigitizerWindow(window.library, JobRunner())
        win.setGeometry(0, 0, WIDTH, HEIGHT)
        win.show()
        digitizer["window"] = win
        win.open_image(figure)

    def calibrate() -> None:
        win = digitizer["window"]
        win.calibration.by_frame.setChecked(True)
        for key, value in (("x0", "0"), ("x1", "120"), ("y0", "0"), ("y1", "1")):
            win.calibration.ranges[key].setText(value)
        win.detect_frame()

    def name_arms() -> None:  # as a user types them from the figure's legend and the paper
        win = digitizer["window"]
        for arm, (label, n) in zip(win.session.arms, (("Everolimus", 284), ("Placebo", 285))):
            arm.label, arm.n = label, n
        win.arms.refresh()
        win.at_risk.set_arm_labels([a.label for a in win.session.arms])
        win.preview.schedule()

    def cleanup() -> None:
        (OUT / ".digitizer-figure.png").unlink(missing_ok=True)
        app.quit()

    steps = [
        (1500, shot("library.png")),
        (100, open_dataset(DIGITIZED)),
        (6000, shot("dataset-curves.png")),
        (100, open_dataset("arcc-os-tem-vs-ifn", 1)),
        (5000, shot("dataset-numbers.png")),
        (100, forest),
        (8000, shot("forest.png")),
        (100, digitize),
        (4000, calibrate),
        (3000, lambda: digitizer["window"].detect_colors()),
        (3000, lambda: digitizer["window"].extract_curves()),
        (5000, name_arms),
        (8000, shot("digitizer.png")),
        (500, cleanup),
    ]
    delay = 0
    for wait, action in steps:
        delay += wait
        QTimer.singleShot(delay, action)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
