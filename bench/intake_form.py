"""`python -m bench.intake_form`: the public form scenario of the suite alone.

Same as `python -m bench --only form [options]` (see bench/__main__.py): the form POST
against the bare floor app's one INSERT, under the same gunicorn, alternating.
"""

from __future__ import annotations

import sys

from bench.__main__ import main

if __name__ == "__main__":
    sys.argv[1:1] = ["--only", "form"]
    main()
