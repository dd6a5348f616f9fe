"""Turn raw model output into code the harness can run."""
