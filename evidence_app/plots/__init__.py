"""Figures drawn on a given matplotlib Figure or Axes (never pyplot)."""
