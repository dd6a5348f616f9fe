"""Generate samples with a backend and a strategy, and run generate-evaluate-report in one go."""
