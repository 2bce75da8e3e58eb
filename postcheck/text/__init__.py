"""Text for word-matching checks: tokens (tokens.py), phrase patterns (phrases.py), targets (targets.py)."""
