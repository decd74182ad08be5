"""Database plumbing: declarative base, engines per dialect, sessions, migrations."""
