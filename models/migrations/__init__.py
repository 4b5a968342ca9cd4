"""Alembic migrations, shipped inside the package so an installed timpora can upgrade.

Run them with ``pipeline.db.upgrade(url)`` (or ``timpora db upgrade``); no alembic.ini needed.
"""
