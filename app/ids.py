"""Typed ids. Every row id is a UUID made on the device, so offline laptops never collide."""

from __future__ import annotations

import uuid
from typing import NewType

AreaId = NewType("AreaId", str)
UnitId = NewType("UnitId", str)
InspectorId = NewType("InspectorId", str)
TeamId = NewType("TeamId", str)
CampaignId = NewType("CampaignId", str)
AssignmentId = NewType("AssignmentId", str)
VisitId = NewType("VisitId", str)
ResponseId = NewType("ResponseId", str)
FindingId = NewType("FindingId", str)
RubricHash = NewType("RubricHash", str)


def new_id() -> str:
    return str(uuid.uuid4())
