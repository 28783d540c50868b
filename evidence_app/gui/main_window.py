"""The main window: composes the library, the dataset view and the forest view and wires the
actions; it computes nothing itself (jobs run in the shared worker pool).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QTabWidget

from evidence_app import __version__
from evidence_app.core.datasets.labels import dataset_label
from evidence_app.core.datasets.library import Library, LibraryEntry, load_library
from evidence_app.gui import settings
from evidence_app.gui.dataset_view import DatasetView
from evidence_app.gui.error_boundary import guarded, show_error
from evidence_app.gui.forest_view import ForestView
from evidence_app.gui.geometry import resize_to_fit
from evidence_app.gui.library_panel import LibraryPanel
from evidence_app.gui.network_view import NetworkView
from evidence_app.gui.warm_up import WarmUp
from evidence_app.gui.workbook_export_dialog import add_export_actions
from evidence_app.gui.workers import JobRunner, shared_runner

READ_ONLY_TIP = "Bundled datasets are read-only; import or create your own dataset to edit it."


def load_library_job(*, progress=None, cancelled=None) -> Library:
    return load_library()


class MainWindow(QMainWindow):
    """Emits ``libraryReloaded()`` after the library was read again (F5, import, edit, delete)."""

    libraryReloaded = Signal()

    def __init__(self, library: Library | None = None, runner: JobRunner | None = None) -> None:
        super().__init__()
        self.setWindowTitle(f"Evidence App {__version__}")
        self.setObjectName("mainWindow")
        self.runner = runner or shared_runner()
        self.library = library if library is not None else load_library()
        self.library_panel = LibraryPanel(self.library, self)
        self.dataset_view = DatasetView(self.runner)
        self.forest_view = ForestView(self.library, self.runner)
        self.workspace = QTabWidget()
        self.workspace.setObjectName("workspace")
        self.workspace.addTab(self.dataset_view, "Dataset")
        self.workspace.addTab(self.forest_view, "Forest plot")
        self.network_view = NetworkView(self.library, self.runner)
        self.workspace.addTab(self.network_view, "Network")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.library_panel)
        self.splitter.addWidget(self.workspace)
        self.splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self.splitter)
        self._status = QLabel()
        self.statusBar().addPermanentWidget(self._status)
        self._open_timer = QTimer(self, singleShot=True, interval=150)
        self._open_timer.timeout.connect(self._open_current)
        self._pending_select: str | None = None
        self.warm_up = WarmUp(self, self.runner)  # heavy imports after the first paint
        self.dataset_view.curves.figureDrawn.connect(self.warm_up.resume)  # the rest, once a figure is up
        self.commands: dict[str, QAction] = {}
        self._build_actions()
        self._build_menus()
        self.library_panel.datasetActivated.connect(self.open_dataset)
        self.library_panel.selectionChanged.connect(self._selection_changed)
        self._update_status()
        self._selection_changed()
        resize_to_fit(self, 1280, 800)
        self._restore_state()
        self._shown = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            splitter = QSettings().value("main/splitter")
            if isinstance(splitter, QByteArray):  # now that the window has its size
                self.splitter.restoreState(splitter)
            else:  # first start, once laid out: room for the library's trial, comparison and endpoint
                QTimer.singleShot(
                    0,
                    lambda: self.splitter.setSizes(
                        [40 * self.splitter.width() // 100, 60 * self.splitter.width() // 100]
                    ),
                )
            last = settings.read("main/dataset", "")
            if last and last in self.library and not self.library_panel.selected_ids():
                self.library_panel.select_ids([last])  # reopens the dataset last looked at:
                self._open_timer.stop()
                self.open_dataset(last)  # now, so its figure is prepared while the window paints
                if self.dataset_view.analysis is None:  # meanwhile, the picture kept when it was closed
                    self.dataset_view.curves.show_snapshot(self.library.entries[last].dataset)

    # -- actions and menus ---------------------------------------------------------------------------
    def _action(self, key: str, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"action_{key}")
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip or text.rstrip("…"))
        action.setStatusTip(tip or text.rstrip("…"))
        action.triggered.connect(slot)
        self.addAction(action)
        self.commands[key] = action
        return action

    def _build_actions(self) -> None:
        self._action("find", "&Find", self.focus_search, "Ctrl+F", "Search the library (Ctrl+F)")
        self._action(
            "import_dataset",
            "&Import dataset file…",
            self.import_dataset,
            "Ctrl+O",
            "Add your own dataset file to the library (Ctrl+O)",
        )
        self._action(
            "import_curve",
            "New dataset from &digitized curve…",
            self.import_curve,
            "Ctrl+Shift+O",
            "Reconstruct a dataset from digitized Kaplan–Meier curves (Ctrl+Shift+O)",
        )
        self._action(
            "digitize",
            "Digiti&ze a figure…",
            self.digitize_figure,
            "Ctrl+Shift+D",
            "Read Kaplan–Meier curves from a figure image or a PDF page (Ctrl+Shift+D)",
        )
        add_export_actions(self)  # Export workbook (Ctrl+E), Export to Word (Ctrl+Shift+W)
        self._action(
            "export_figure",
            "Export &figure…",
            self.export_figure,
            "Ctrl+Shift+E",
            "Save the figure on screen as PNG, SVG or PDF (Ctrl+Shift+E)",
        )
        self._action("quit", "&Quit", self.close, "Ctrl+Q")
        self._action("edit", "&Edit dataset…", self.edit_dataset, "F2", "Edit your dataset's metadata (F2)")
        delete = self._action(
            "delete", "&Delete dataset", self.delete_dataset, "Delete", "Delete your dataset (Delete)"
        )
        delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(delete)
        self.library_panel.table.addAction(delete)  # Delete in the search box still deletes text
        self._action("reload", "&Reload library", self.reload_library, "F5", "Read the library again (F5)")
        self._action(
            "forest", "&Forest plot", self.show_forest, "Ctrl+L", "Forest plot of the selected comparisons (Ctrl+L)"
        )
        self._action(
            "network",
            "&Network meta-analysis",
            self.show_network,
            "Ctrl+Shift+N",
            "Compare treatments never tested head to head, through a network of trials (Ctrl+Shift+N)",
        )
        self._action("dataset", "Dataset &view", lambda: self.workspace.setCurrentWidget(self.dataset_view), "Ctrl+D")
        self._action(
            "problems", "Library &problems…", self.show_problems, None, "Dataset files that could not be loaded"
        )
        self._action("about", "&About Evidence App", self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        groups = {
            "&File": (
                "import_dataset",
                "import_curve",
                "digitize",
                None,
                "export_workbook",
                "export_word",
                "export_figure",
                None,
                "quit",
            ),
            "&Dataset": ("edit", "delete", None, "reload"),
            "&View": ("find", "dataset", "forest", "network"),
            "&Help": ("problems", "about"),
        }
        for title, keys in groups.items():
            menu = bar.addMenu(title)
            menu.setToolTipsVisible(True)
            for key in keys:
                if key is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self.commands[key])
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        for key in ("import_dataset", "import_curve", "export_workbook", "forest", "edit", "delete"):
            toolbar.addAction(self.commands[key])

    # -- library ----------------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.library_panel.search.setFocus()
        self.library_panel.search.selectAll()

    def selected_entry(self) -> LibraryEntry | None:
        ids = self.library_panel.selected_ids()
        dataset_id = ids[0] if len(ids) == 1 else self.library_panel.current_id() if not ids else None
        return self.library.entries.get(dataset_id) if dataset_id else None

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        user = entry is not None and not entry.bundled
        for key, verb in (("edit", "Edit"), ("delete", "Delete")):
            action = self.commands[key]
            action.setEnabled(user)
            action.setToolTip(
                READ_ONLY_TIP
                if entry is not None and entry.bundled
                else f"{verb} your dataset"
                if user
                else f"Select one of your datasets to {verb.lower()} it"
            )
        if entry is not None:
            self._open_timer.start()

    def _open_current(self) -> None:
        entry = self.selected_entry()
        if entry is not None and entry.dataset.id != self.dataset_view.dataset_id:
            self.open_dataset(entry.dataset.id)

    @guarded
    def open_dataset(self, dataset_id: str) -> None:
        entry = self.library.entries.get(dataset_id)
        if entry is None:
            self.library.get(dataset_id)  # raises the "no dataset" message
            return
        self.warm_up.stop()
        self.workspace.setCurrentWidget(self.dataset_view)
        self.dataset_view.show_entry(entry)
        self.setWindowTitle(f"{dataset_label(entry.dataset)} — Evidence App {__version__}")
        settings.write("main/dataset", dataset_id)

    def reload_library(self, select: str | None = None) -> None:
        """Read the library again in the worker; ``select`` a dataset id once it is loaded."""
        self._pending_select = select if isinstance(select, str) else None
        self.statusBar().showMessage("Reloading the library…")
        job = self.runner.start(load_library_job, name="load library")
        job.succeeded.connect(self._library_loaded)
        job.failed.connect(self._library_failed)

    def _library_failed(self, exc: BaseException) -> None:
        show_error(self, exc)

    def _library_loaded(self, library: Library) -> None:
        self.library = library
        self.library_panel.set_library(library)
        self.forest_view.set_library(library)
        self.network_view.set_library(library)
        self.dataset_view.retain_cache(library)
        current = self.dataset_view.dataset_id
        if self._pending_select is not None and self._pending_select in library:
            self.library_panel.clear_filters()
            self.library_panel.select_ids([self._pending_select])
            self.open_dataset(self._pending_select)
        elif current is not None and current in library:
            self.dataset_view.show_entry(library.entries[current])
        elif current is not None:
            self.dataset_view.clear()
        self._pending_select = None
        self._update_status()
        self._selection_changed()
        self.statusBar().showMessage(f"Library reloaded: {len(library)} datasets", 5000)
        self.libraryReloaded.emit()

    def _update_status(self) -> None:
        problems = len(self.library.problems)
        user = sum(not e.bundled for e in self.library.entries.values())
        text = f"{len(self.library)} datasets ({user} yours)"
        if problems:
            text += f" — {problems} file problem(s): Help ▸ Library problems"
        self._status.setText(text)
        self.commands["problems"].setText(f"Library &problems ({problems})…")

    # -- user datasets ------------------------------------------------------------------------------
    @guarded
    def import_dataset(self, path: str | None = None) -> None:
        from evidence_app.gui.import_dialog import DatasetFileImport

        self.file_import = DatasetFileImport(self, self.runner, self.library, path if isinstance(path, str) else None)
        self.file_import.imported.connect(self.reload_library)

    @guarded
    def import_curve(self) -> None:
        from evidence_app.gui.curve_import_wizard import CurveImportWizard

        wizard = CurveImportWizard(self.library, self.runner, self)
        wizard.datasetSaved.connect(self.reload_library)
        wizard.finished.connect(wizard.deleteLater)
        wizard.open()
        self.curve_wizard = wizard

    @guarded
    def digitize_figure(self) -> None:
        from evidence_app.gui.digitizer import DigitizerWindow

        # One digitizer window, kept in step with the library, raised again on later triggers.
        if getattr(self, "digitizer", None) is None:
            self.digitizer = DigitizerWindow(self.library, self.runner, self)
            self.digitizer.datasetSaved.connect(self.reload_library)
            self.libraryReloaded.connect(lambda: self.digitizer.set_library(self.library))
        self.digitizer.show()
        self.digitizer.raise_()
        self.digitizer.activateWindow()

    @guarded
    def edit_dataset(self) -> None:
        from evidence_app.gui.metadata_dialog import EditDatasetDialog

        entry = self.selected_entry()
        if entry is None:
            return
        dialog = EditDatasetDialog(entry, self.library, self)
        dialog.accepted.connect(lambda: self.reload_library(select=dialog.saved_id))
        dialog.open()

    @guarded
    def delete_dataset(self) -> None:
        from evidence_app.gui.import_dialog import confirm_and_delete

        entry = self.selected_entry()
        if entry is not None and confirm_and_delete(self, entry):
            self.reload_library()

    # -- views and exports -----------------------------------------------------------------------
    def show_forest(self) -> None:
        self._show_with_selection(self.forest_view)

    def show_network(self) -> None:
        self._show_with_selection(self.network_view)

    def _show_with_selection(self, view: ForestView | NetworkView) -> None:
        """Switch to ``view`` with the datasets selected in the library ticked (if any)."""
        self.warm_up.stop()
        selected = self.library_panel.selected_ids()
        if selected:
            view.set_checked(selected)
        self.workspace.setCurrentWidget(view)

    @guarded
    def export_figure(self) -> None:
        if self.workspace.currentWidget() is self.network_view:
            self.network_view.export_figure()
        elif self.workspace.currentWidget() is self.forest_view:
            if self.forest_view.data is None:
                self.statusBar().showMessage("Tick comparisons to draw a forest plot first.", 5000)
            self.forest_view.export_figure()
        else:
            if self.dataset_view.analysis is None:
                self.statusBar().showMessage("Open a dataset with curves first.", 5000)
            self.dataset_view.tabs.setCurrentWidget(self.dataset_view.curves)
            self.dataset_view.curves.export_figure()

    @guarded
    def export_workbook(self, kind: str = "xlsx") -> None:
        from evidence_app.gui.workbook_export_dialog import WorkbookExport

        self.warm_up.stop()
        panel = self.library_panel
        ids = {"selected": panel.selected_ids(), "shown": panel.visible_ids(), "all": list(self.library.entries)}
        analyses = self.dataset_view.cached_analyses()
        self.workbook_export = WorkbookExport(self, self.runner, self.library, ids, analyses, kind=kind)

    def show_problems(self) -> None:
        from evidence_app.gui.problems_dialog import LibraryProblemsDialog

        LibraryProblemsDialog(self.library, self).open()

    def show_about(self) -> None:
        from evidence_app.gui.about_dialog import AboutDialog

        AboutDialog(self).open()

    # -- state ------------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        for key, restore in (("main/geometry", self.restoreGeometry), ("main/state", self.restoreState)):
            value = QSettings().value(key)
            if isinstance(value, QByteArray):
                restore(value)

    def closeEvent(self, event) -> None:
        if getattr(self, "digitizer", None) is not None:
            self.digitizer.close()  # saves its own geometry
        settings.write("main/geometry", self.saveGeometry())
        settings.write("main/state", self.saveState())
        settings.write("main/splitter", self.splitter.saveState())
        self.dataset_view.curves.save_snapshot()  # shown at once when the next start reopens it
        self.runner.cancel_all()
        self.runner.wait(10000)  # a running fit finishes in well under a second after cancelling
        super().closeEvent(event)
