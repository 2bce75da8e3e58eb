"""postcheck: check school social-media posts against the social media policy before publishing.

The library API never prints and never exits; ``postcheck.cli`` does that.
"""
from __future__ import annotations

__version__ = "0.1.0"

from postcheck.model import Finding, PostResult, Report, Severity, Verdict  # noqa: E402

__all__ = ["Finding", "PostResult", "Report", "Severity", "Verdict", "check", "__version__"]


def check(paths, config_path=None, account=None) -> Report:
    """Check drafts, images or folders and return a Report (no printing, no exiting)."""
    from pathlib import Path

    from postcheck.config import find_config, load_config
    from postcheck.discovery import discover, load
    from postcheck.engine import Engine

    config = load_config(Path(config_path) if config_path else find_config())
    engine = Engine(config)
    specs = discover(Path(p) for p in paths)
    return engine.run(load(spec, config.account, account) for spec in specs)
