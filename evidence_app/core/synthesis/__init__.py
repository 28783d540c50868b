"""Across trials: the pooling-method registry, meta-analysis, pooling rules, forest rows, reports.

Network meta-analysis lives here too. May import everything else in ``core``.
"""
