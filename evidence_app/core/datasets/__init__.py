"""The dataset format and the library of datasets.

Holds the schema (pydantic models), references and their checks, reading and writing dataset
files, the bundled and the user library, the catalogue's summaries and the one list of a
dataset's flags (``catalog``), the one label naming a dataset (``labels``), published numbers at
their published precision (``published``), the audit of every number with its source and locator
(``audit``), and the builder that turns a digitized curve into a dataset. May import: ``core``
base modules (results, formatting, atomic, progress), ``evidence_app.errors``; nothing from the
other core subpackages.
"""
