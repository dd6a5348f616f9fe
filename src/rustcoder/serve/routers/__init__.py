"""One router per API the server speaks."""
