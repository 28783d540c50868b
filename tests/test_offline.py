"""Offline guarantee: start-up, every view, export, figures and the digitizer never open a network connection.

Internet sockets (AF_INET/AF_INET6) and name lookups are blocked and recorded; local Unix sockets
(which Qt may use for D-Bus) are left alone.
"""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest

from tests.test_gui_support import MPL_QT_WARNING, close_dialogs, main_window

pytestmark = pytest.mark.filterwarnings(MPL_QT_WARNING)


@pytest.fixture
def network_attempts(monkeypatch):
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"connect {address!r}")
            raise OSError("network access blocked by test_offline")
        return real_connect(self, address)

    def blocked_lookup(*args, **kwargs):
        attempts.append(f"getaddrinfo {args[:2]!r}")
        raise socket.gaierror("name lookup blocked by test_offline")

    def blocked_create_connection(address, *args, **kwargs):
        attempts.append(f"create_connection {address!r}")
        raise OSError("network access blocked by test_offline")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: guarded_connect(self, address) or 0)
    monkeypatch.setattr(socket, "getaddrinfo", blocked_lookup)
    monkeypatch.setattr(socket, "create_connection", blocked_create_connection)
    return attempts


def test_the_guard_itself_catches_a_connection(network_attempts):
    with pytest.raises(OSError):
        socket.create_connection(("example.org", 80), timeout=1)
    with pytest.raises(OSError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("127.0.0.1", 9))
    assert len(network_attempts) == 2


def km_png(path: Path) -> None:
    from matplotlib.figure import Figure

    from evidence_app.core.stats.survival import fit_km

    rng = np.random.default_rng(3)
    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.add_subplot()
    for colour, scale in (("#1f77b4", 10.0), ("#ff7f0e", 6.0)):
        fit = fit_km(rng.exponential(scale, 150), np.ones(150))
        ax.step(fit.timeline, fit.survival, where="post", color=colour)
    ax.set_xlim(0, 30)
    ax.set_ylim(0, 1)
    fig.savefig(path)


def test_every_view_export_and_digitizer_stay_offline(qtbot, library, tmp_path, network_attempts):
    from evidence_app.core.digitize.extract import digitize_figure
    from evidence_app.core.digitize.load import load_figure
    from evidence_app.core.stats.analysis import analyze_dataset
    from evidence_app.export.workbook import export_workbook
    from evidence_app.plots.km import KMOptions, draw_km
    from evidence_app.plots.save import save_figure
    from evidence_app.plots.style import new_figure

    windows = main_window(qtbot, library)
    window = next(windows)
    view = window.dataset_view
    for dataset_id in ("arcc-os-tem-vs-ifn", "bolero3-pfs-kmdata"):
        with qtbot.waitSignal(view.analysisReady, timeout=60000):
            window.open_dataset(dataset_id)
        for index in range(view.tabs.count()):
            view.tabs.setCurrentIndex(index)
            qtbot.wait(10)
    window.library_panel.select_ids(["record1-pfs-final-central", "meteor-pfs", "checkmate025-pfs"])
    with qtbot.waitSignal(window.forest_view.forestUpdated, timeout=60000):
        window.commands["forest"].trigger()
    window.commands["about"].trigger()
    close_dialogs()
    km_png(tmp_path / "figure.png")
    window.commands["digitize"].trigger()
    with qtbot.waitSignal(window.digitizer.imageLoaded, timeout=30000):
        window.digitizer.open_image(str(tmp_path / "figure.png"))
    window.commands["digitize"].trigger()  # the same window is raised again, not a second one
    assert sum(type(w).__name__ == "DigitizerWindow" for w in window.findChildren(type(window.digitizer))) == 1
    window.digitizer.close()

    datasets = [library.get(i) for i in ("arcc-os-tem-vs-ifn", "bolero3-pfs-kmdata", "aspen-pfs")]
    export_workbook(datasets, tmp_path / "offline.xlsx", with_figures=True, with_ipd=True)
    fig = new_figure("single")
    draw_km(fig, analyze_dataset(datasets[1]), KMOptions())
    for suffix in ("png", "svg", "pdf"):
        save_figure(fig, tmp_path / f"km.{suffix}")
    result = digitize_figure(load_figure(tmp_path / "figure.png"), (0, 30), (0, 1))
    assert len(result.curves) == 2
    for _ in windows:
        pass
    assert network_attempts == []
