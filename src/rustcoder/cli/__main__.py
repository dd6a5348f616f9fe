"""`python -m rustcoder.cli` runs the command line."""

from rustcoder.cli import main

main()
