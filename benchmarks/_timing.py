"""Whole-command timing shared by the benchmarks: wall-clock seconds, and CPU seconds of the child
processes (steadier on a shared machine), kept per label in CPU."""
from __future__ import annotations

import resource
import subprocess
import time

CPU: dict[str, list[float]] = {}


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], label: str, before=None) -> tuple[float, str]:
    """Wall-clock seconds and stdout of a command (exit 0 or 1); its CPU seconds go to CPU[label]."""
    if before:
        before()
    cpu = _child_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    CPU.setdefault(label, []).append(_child_cpu() - cpu)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed: {done.stderr[-500:]}")
    return elapsed, done.stdout
