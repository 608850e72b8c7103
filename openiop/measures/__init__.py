"""Instruments as data, responses, scoring, outcome trends, check-ins."""
