"""pass@k, intervals, summaries and reports."""
