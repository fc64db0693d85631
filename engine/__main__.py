"""`python -m engine`: the oam-render command."""

from .cli import main

main()
