"""Alembic migrations shipped inside the package (applied by :mod:`station.db.migrate`)."""
