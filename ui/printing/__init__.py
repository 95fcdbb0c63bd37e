"""Printing from the desktop: the print-service flow, its dialog, the Qt path and the words."""
