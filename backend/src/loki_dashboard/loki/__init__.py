"""Read and write the .loki file protocol that Loki Mode runs speak."""
