"""`python -m engine`: the oam-render command."""

from .cli.main import main

main()
