"""Survival statistics: Kaplan–Meier estimates, effects (HR, RMST), and per-dataset analysis.

May import: ``core`` base modules, ``core.datasets`` and ``core.reconstruction``.
"""
