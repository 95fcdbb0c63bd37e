"""Storage errors. They name the file so a user or support can find it."""

from __future__ import annotations


class StorageError(Exception):
    """The database cannot be opened or used."""


class CorruptDatabase(StorageError):
    pass


class SchemaTooNew(StorageError):
    pass


class ProfileLocked(StorageError):
    pass


class NotWritable(StorageError):
    pass


class MigrationFailed(StorageError):
    pass
