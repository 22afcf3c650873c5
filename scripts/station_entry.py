"""Entry point of the built app: the ``station`` command (GUI by default, subcommands as in the CLI)."""
from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from station.cli import main

    sys.exit(main())
