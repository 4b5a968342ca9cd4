"""Record types (``models.record``) and the SQLAlchemy ORM (``models.orm``)."""
