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
# A finding's rectification loop (app.findings.TRANSITIONS says which may follow which):
# plan_received (the unit's 整改方案 arrived) and reported_fixed (its 整改报告 arrived) are
# recorded by the office or an inspector; migration 0008 lets the event log hold plan_received.
FINDING_STATUSES = ("open", "fixed_on_site", "reported_fixed", "verified", "closed", "reopened", "plan_received")
SEVERITIES = ("general", "major")

SYNCED_TABLES = (
    "admin_areas",
    "units",
    "inspectors",
    "teams",
    "team_members",
    "campaigns",
    "assignments",
    "visits",
    "visit_rubrics",
    "visit_members",
    "visit_sections",
    "responses",
    "findings",
    "finding_events",
    "good_practices",
    "evidence",
    "evidence_captions",
    "evidence_annotations",
    "evidence_links",
    "evidence_positions",
    "signatures",
    "audit_log",
)
# The synced tables that hold a photo's independently edited parts, one row each per photo.
EVIDENCE_PARTS = ("evidence_captions", "evidence_annotations", "evidence_links", "evidence_positions")
CONFLICT_STATUSES = ("open", "resolved")
