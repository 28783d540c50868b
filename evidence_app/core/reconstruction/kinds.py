"""The kinds of patient-level curve data, as every view names them (no numpy: the views that show
them paint before the numerical modules are loaded)."""

KIND_PATIENT = "patient-level"
KIND_RECONSTRUCTED = "reconstructed from digitized curve"
KIND_APPROXIMATION = "approximation from published summary"
