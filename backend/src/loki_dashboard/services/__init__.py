"""Business rules: what may change and which events a change publishes."""
