"""`python -m rustcoder` runs the command line."""

from rustcoder.cli import main

main()
