"""``python -m fleet``: the same as ``taihaoban-release``."""

import sys

from fleet.cli import main

sys.exit(main())
