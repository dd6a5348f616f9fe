"""Tuning: adapters and their export to the formats the backends load."""
