"""Who has signed the visit and when, at a glance beside the score."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.signatures import ROLES, Signature
from ui.widgets.i18n import format_datetime


class SignatureStatusWidget(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signatureStatus")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def role_name(self, role: str) -> str:
        return self.tr("Team leader") if role == "team_leader" else self.tr("Unit head")

    def set_signatures(self, signatures: Sequence[Signature], visit_version: int) -> None:
        """One line per role: the signer and the time, or that the signature is still missing."""
        by_role = {s.role: s for s in signatures}
        lines = []
        for role in ROLES:
            sig = by_role.get(role)
            if sig is None:
                line = self.tr("{role}: not signed yet").format(role=self.role_name(role))
            elif sig.signed_version < visit_version:
                line = self.tr("{role}: {name} signed an earlier version ({when}): sign again").format(
                    role=self.role_name(role), name=sig.signer_name, when=format_datetime(sig.signed_at))
            else:
                line = self.tr("{role}: {name}, signed {when}").format(
                    role=self.role_name(role), name=sig.signer_name, when=format_datetime(sig.signed_at))
            lines.append(line)
        self.setText("\n".join(lines))
        self.setProperty("complete", all(r in by_role and by_role[r].signed_version >= visit_version for r in ROLES))
        self.style().polish(self)
