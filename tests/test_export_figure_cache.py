"""Figures kept between exports: a second export draws nothing, and a change of data draws again."""

from __future__ import annotations

from evidence_app.export.figure_cache import FigureCache, figure_key
from evidence_app.export.outputs import export_outputs
from evidence_app.export.prepare import ExportOptions, analyze_for_export
from evidence_app.export.sheets_figures import km_key

KMDATA = "bolero1-pfs-kmdata"


def test_second_export_takes_every_figure_from_the_cache(library, tmp_path, monkeypatch):
    drawn: list[str] = []
    import evidence_app.export.sheets_figures as sf

    real = sf.render_png
    monkeypatch.setattr(sf, "render_png", lambda *a, **k: drawn.append("x") or real(*a, **k))
    datasets = [library.get(i) for i in (KMDATA, "arcc-os-tem-vs-ifn")]
    first = export_outputs(datasets, docx=tmp_path / "a.docx", options=ExportOptions(workers=1))[0]
    assert len(drawn) == first.figures == 4  # two forest plots (PFS, OS), two KM figures
    second = export_outputs(datasets, docx=tmp_path / "b.docx", options=ExportOptions(workers=1))[0]
    assert len(drawn) == 4 and second.figures == 4  # nothing drawn again
    assert (tmp_path / "a.docx").stat().st_size == (tmp_path / "b.docx").stat().st_size


def test_keys_change_with_data_and_resolution(library):
    item = analyze_for_export([library.get(KMDATA)])[0]
    assert km_key(item, 300) == km_key(item, 300) != km_key(item, 144)
    changed = item.dataset.model_copy(update={"title": item.dataset.title + " (edited)"})
    other = type(item)(changed, item.analysis)
    assert km_key(other, 300) != km_key(item, 300)
    assert figure_key("forest", ["a"]) != figure_key("forest", ["b"])


def test_unreadable_or_damaged_files_are_drawn_again(tmp_path):
    cache = FigureCache(tmp_path / "figures")
    assert cache.get("missing") is None
    cache.put("k", (b"\x89PNG\r\n\x1a\n" + b"data", 3.35, 4.0))
    assert cache.get("k") == (b"\x89PNG\r\n\x1a\n" + b"data", 3.35, 4.0)
    (tmp_path / "figures" / "k.fig").write_bytes(b"garbage")
    assert cache.get("k") is None
    blocked = FigureCache(tmp_path / "a-file")
    (tmp_path / "a-file").write_text("not a folder")
    blocked.put("k", (b"\x89PNG", 1.0, 1.0))  # cannot be kept: no error
    assert blocked.get("k") is None
