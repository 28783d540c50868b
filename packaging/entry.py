"""Frozen entry point: the same ``main()`` as the ``evidence-app`` console script.

PyInstaller needs a script, not a ``module:function`` reference, so this file stands in for the
``[project.scripts]`` entry in pyproject.toml and exits with ``main()``'s return code.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    # A no-op unless some library starts worker processes; in a frozen Windows/macOS app those
    # would otherwise re-run the whole program instead of the worker.
    multiprocessing.freeze_support()

    from evidence_app.cli import main

    sys.exit(main())
