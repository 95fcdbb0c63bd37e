"""Storage: rows through SQLAlchemy Core (SQLite or PostgreSQL, one code path), and blobs."""
