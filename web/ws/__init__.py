"""The live inbox over WebSockets: the consumer, its client protocol, the per-team fan-out and
the connection counts operators watch."""
