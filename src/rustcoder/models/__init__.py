"""Named models and how their weights reach this machine."""
