"""``python -m bench.generate``: load the benchmark world."""

import sys

from bench.generate import main

sys.exit(main())
