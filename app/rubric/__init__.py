"""Rubric templates: the format, validation, the scoring engine and spreadsheet authoring."""
