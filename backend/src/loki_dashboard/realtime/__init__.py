"""Real-time delivery: domain events, the bus that fans them out, WebSocket and SSE."""
