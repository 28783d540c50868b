"""File export: workbooks, CSV tables and figures, written atomically."""
