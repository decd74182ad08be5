"""Pydantic request and response models, one file per domain."""
