"""SQL grouped per table. Functions take the Database first and return plain dict rows."""
