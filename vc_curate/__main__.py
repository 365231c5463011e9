"""`python -m vc_curate` is the `vc-curate` command."""

import sys

from vc_curate.cli.main import main

sys.exit(main())
