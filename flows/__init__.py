"""Thin Prefect 3 flows over ``pipeline``."""
