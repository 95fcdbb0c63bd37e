"""Fieldmark's core: domain model, services, scoring. Never imports Qt."""

__version__ = "0.1.0"
