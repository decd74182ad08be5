"""`python -m loki_dashboard` runs the CLI."""

from loki_dashboard.cli import main

main()
