"""Configuration: TOML into frozen dataclasses, one validation layer, secrets and their redaction."""
