"""Figures to curve points: image and PDF-page input, calibration, colours, tracing, extraction.

Also the digitizer's session model, its provenance record and the reading of digitized CSVs.
May import: ``core`` base modules, ``core.datasets`` and ``core.reconstruction`` (the cleaning of
digitized input); never ``stats`` or ``synthesis``.
"""
