"""Engines: where encoding and search run (local, ray)."""
