"""What scenarios use to reach a stack: traffic, raw probes, TLS, WebSockets, evidence."""
