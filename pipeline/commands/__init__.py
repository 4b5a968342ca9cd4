"""CLI command modules; each exposes ``register(app)``. Heavy imports stay inside commands."""
