"""``python -m evidence_app`` is the same as the ``evidence-app`` command."""

import sys

from evidence_app.cli import main

sys.exit(main())
