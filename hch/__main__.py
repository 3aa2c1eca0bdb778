"""``python -m hch``: the same as the ``hch`` console script."""

import sys

from hch.cli import main

sys.exit(main())
