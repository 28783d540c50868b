"""Pure core: datasets, reconstruction, survival analysis and meta-analysis.

Nothing in this package may import Qt, matplotlib or openpyxl (checked by a test).
"""
