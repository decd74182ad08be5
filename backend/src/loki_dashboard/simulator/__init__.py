"""A protocol-faithful fake Loki Mode runner, for tests and demos only (never the real path)."""
