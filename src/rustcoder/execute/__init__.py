"""Compile and run programs in the sandbox."""
