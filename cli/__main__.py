"""``python -m cli``: the `crm-bridge` command."""

from cli.main import main

main()
