"""Kaplan–Meier estimate of patient-level data (numpy only: the reconstruction path imports no pandas)."""

from __future__ import annotations

import numpy as np


def km_table(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The Kaplan–Meier table at the distinct event times: times, deaths, numbers at risk, survival after."""
    order = np.argsort(time, kind="stable")
    time, event = np.asarray(time, float)[order], np.asarray(event)[order]
    uniq, first = np.unique(time, return_index=True)
    deaths = np.add.reduceat(event.astype(float), first) if len(time) else np.empty(0)
    at_risk = (len(time) - first).astype(float)
    keep = deaths > 0
    return uniq[keep], deaths[keep], at_risk[keep], np.cumprod(1.0 - deaths[keep] / at_risk[keep])


def km_steps(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier estimate: distinct event times and survival just after each."""
    times, _, _, survival = km_table(time, event)
    return times, survival


def km_at(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Right-continuous KM evaluated at ``x``."""
    t, s = km_steps(time, event)
    return np.r_[1.0, s][np.searchsorted(t, x, side="right")]
