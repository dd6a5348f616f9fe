"""Prompting strategies: named templates and how answers become samples."""
