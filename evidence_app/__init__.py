"""Evidence App: offline browser and analysis tool for clinical-trial survival evidence."""

__version__ = "0.1.0"
