"""Evaluate samples: read them, execute what is missing, write results and a summary."""
