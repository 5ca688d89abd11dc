"""`python -m bench.track`: the /track scenario of the suite alone (see bench/__main__.py).

Same as `python -m bench --only track [options]`: the real app and the bare floor app
(one primary-key SELECT) under the same gunicorn, alternating, load from wrk.
"""

from __future__ import annotations

import sys

from bench.__main__ import main

if __name__ == "__main__":
    sys.argv[1:1] = ["--only", "track"]
    main()
