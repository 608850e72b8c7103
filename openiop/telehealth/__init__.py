"""Janus rooms, join tickets, waiting room, pre-join checks."""
