"""The code lists the schema checks, and the tables that sync.

Kept apart from the migrations so that code needing only these names does not load the
database library (start-up time of the desktop app).
"""

from __future__ import annotations

VISIT_TYPES = (
    "self_assessment",
    "preliminary_review",
    "acceptance",
    "routine",
    "themed",
    "unannounced",
    "spot_check",
    "follow_up",
)
VISIT_STATUSES = ("in_progress", "finalized", "amended", "cancelled")
AREA_LEVELS = ("province", "city", "county", "township", "village")
FINDING_STATUSES = ("open", "fixed_on_site", "reported_fixed", "verified", "closed", "reopened")
SEVERITIES = ("general", "major")

SYNCED_TABLES = (
    "admin_areas",
    "units",
    "inspectors",
    "teams",
    "campaigns",
    "assignments",
    "visits",
    "responses",
    "findings",
    "finding_events",
    "good_practices",
    "evidence",
    "signatures",
    "audit_log",
)
