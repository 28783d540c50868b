"""Patient-level data from curves: input cleaning, the reconstruction algorithm, approximations.

Curve input cleaning, the Guyot-family reconstruction, the plain Guyot reference implementation,
the summary-based approximation and per-arm data. May import: ``core`` base modules and
``core.datasets``.
"""
