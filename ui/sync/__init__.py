"""Sync on the desktop: the status area and its Sync button, login, and the conflict review."""
