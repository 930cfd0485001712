"""``python -m pytest_contracts``: the same as the ``pytest-contracts`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
