"""``python -m postcheck``."""
from postcheck.cli import main

raise SystemExit(main())
