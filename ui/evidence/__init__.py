"""Photo evidence in the desktop app: the full-size viewer with annotations, imports with
progress and cancel, and the controller the checklist page uses for its photo strip."""

from __future__ import annotations

from ui.evidence.import_dialog import ImportProgressDialog
from ui.evidence.photo_flows import PhotoFlows
from ui.evidence.viewer import PhotoViewerDialog

__all__ = ["ImportProgressDialog", "PhotoFlows", "PhotoViewerDialog"]
