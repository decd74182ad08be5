"""Operating the server: Prometheus metrics (`/metrics`) and the measures load shedding uses."""
