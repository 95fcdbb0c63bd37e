"""What a laptop keeps of the office's settings: the office's public key for sealed bundles.

The sync engine stores it from each pulled ``office_settings`` item (in the page's transaction);
bundle export reads it, or asks the server when it was never pulled.
"""

from __future__ import annotations

from app.profile import Profile
from app.sync import sealed
from app.sync.pull import OfficeSettings
from db.queries import meta

OFFICE_KEY = "bundle.office_public_key"


def remember_office_settings(profile: Profile, settings: OfficeSettings) -> None:
    """Keep the office's bundle key from pulled (or fetched) office settings; call inside a
    transaction. The rest of the settings are not stored here."""
    if settings.bundle_public_key:
        sealed.load_public_key(settings.bundle_public_key)  # refuse a malformed one here, not at export
        meta.put(profile.db, OFFICE_KEY, settings.bundle_public_key)


def kept_office_key(profile: Profile) -> str | None:
    return meta.get(profile.db, OFFICE_KEY)
