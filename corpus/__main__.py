"""`python -m corpus` runs the docket command line."""

from corpus.cli import main

main()
