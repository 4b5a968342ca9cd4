"""Alembic revision scripts (alembic skips this ``__init__``)."""
