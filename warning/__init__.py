"""Overseas patent early-warning service."""

__version__ = "0.1.0"
