"""Delivery: matches and notices into the outbox, the dispatcher, rendering, digests, channels."""
