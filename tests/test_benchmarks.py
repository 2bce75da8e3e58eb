"""The benchmark scripts still start: their imports follow the package (they are run by hand, not by CI)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))  # _x.py: shared helpers


def test_there_are_benchmarks():
    assert {p.name for p in SCRIPTS} >= {"batch.py", "faces.py", "names.py", "words.py"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_script_starts(script):
    proc = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "usage:" in proc.stdout
