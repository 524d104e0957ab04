"""Run `asysta <arguments>` in this process and write its peak memory (MB, ru_maxrss of
this process only: LibreOffice and other tools run in processes of their own) to a file.

    python bench/peak.py <file> <asysta arguments…>
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

if __name__ == "__main__":
    target = Path(sys.argv[1])
    sys.argv = ["asysta", *sys.argv[2:]]
    from pipeline.app.cli import main

    try:
        main()
    finally:
        target.write_text(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}\n")
