"""Kaplan–Meier estimate of patient-level data (numpy only: the reconstruction path imports no pandas)."""

from __future__ import annotations

import numpy as np


def km_curve(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier estimate: distinct event times and survival just after each."""
    order = np.argsort(time, kind="stable")
    time, event = np.asarray(time, float)[order], np.asarray(event)[order]
    uniq, first = np.unique(time, return_index=True)
    deaths = np.add.reduceat(event.astype(float), first) if len(time) else np.empty(0)
    at_risk = len(time) - first
    keep = deaths > 0
    return uniq[keep], np.cumprod(1.0 - deaths[keep] / at_risk[keep])


def km_at(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Right-continuous KM evaluated at ``x``."""
    t, s = km_curve(time, event)
    return np.r_[1.0, s][np.searchsorted(t, x, side="right")]
