"""The test CUPS (tests/cups_support.py) for the printing tests of this folder."""

from tests.cups_support import cups_server, pdf_queue  # noqa: F401
