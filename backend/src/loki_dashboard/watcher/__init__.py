"""Watch every project's `.loki/` folder and mirror what changes into the database, live."""
