"""Worst cases of the adversarial sweep (issue 16): time and peak memory of `postcheck` on each.

    python benchmarks/adversarial.py [--postcheck CMD] [--timeout 120] [--only NAME ...]

Each case is written to a fresh folder and checked by a fresh `postcheck` process (``--postcheck``
chooses the command, e.g. another checkout's ``.venv/bin/postcheck`` to compare); the report
gives its exit code, wall and CPU time and peak RSS (of the process and its workers), or "timeout"
(CPU time is the steadier figure on a shared machine).
Bounded means: seconds, not minutes; hundreds of MB, not GB; exit 0, 1 or 2; never a traceback.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROSE = "Well done to the Year 6 relay team, who ran brilliantly at the county finals on Saturday. "


def _laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 10)}]")
    return "\n".join(lines) + "\n"


def _draft(folder: Path, body: str, name: str = "post.md") -> list[str]:
    (folder / name).write_text(body, encoding="utf-8")
    return [name]


CASES = {
    # size: what a draft may be
    "draft-974KB": lambda f: _draft(f, PROSE * (974_000 // len(PROSE))),
    "draft-195KB": lambda f: _draft(f, PROSE * (195_000 // len(PROSE))),
    "allow-comments-15000": lambda f: _draft(f, '<!-- postcheck: allow reference reason="ok" -->\nHi.\n\n' * 15_000),
    "allow-comments-3000": lambda f: _draft(f, '<!-- postcheck: allow reference reason="ok" -->\nHi.\n\n' * 3_000),
    # quadratic patterns
    "quotes-40KB": lambda f: _draft(f, '"' * 40_000),
    "emoji-40K": lambda f: _draft(f, "\U0001F600" * 40_000),
    "allow-reason-190KB": lambda f: _draft(f, '<!-- postcheck: allow reference reason="' + "x " * 95_000 + '" -->\nHi.\n'),
    "unterminated-allows-60000": lambda f: _draft(f, "<!-- postcheck " * 12_000),
    "allow-20000-rules": lambda f: _draft(f, "<!-- postcheck: allow " + ", ".join(f"r{i}" for i in range(20_000))
                                         + ' reason="x" -->\nHi.\n'),
    # YAML expansion
    "laughs-front-matter": lambda f: _draft(f, "---\n" + _laughs() + "title: x\n---\nHello.\n"),
    "laughs-config": lambda f: (f.joinpath("postcheck.yaml").write_text(
        "school: x\nnames:\n" + "".join("  " + line + "\n" for line in _laughs().splitlines())), _draft(f, "Hello.\n"))[1],
    # special files
    "fifo-in-folder": lambda f: (os.mkfifo(f / "stuck.md"), _draft(f, "Hello.\n"), ["."])[2],
    "link-to-dev-zero": lambda f: ((f / "zero.md").symlink_to("/dev/zero"), ["zero.md"])[1],
    "image-link-to-dev-zero": lambda f: ((f / "zero.jpg").symlink_to("/dev/zero"), ["zero.jpg"])[1],
    "symlink-loop": lambda f: ((f / "a.md").symlink_to("b.md"), (f / "b.md").symlink_to("a.md"), ["."])[2],
}


def run_case(name: str, command: list[str], timeout: float) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        args = CASES[name](folder)
        school = ROOT / "tests" / "fixtures" / "school" / "postcheck.yaml"  # a roster, so names are checked
        extra = [] if (folder / "postcheck.yaml").exists() or not school.exists() else ["--config", str(school)]
        wrapper = ("import resource, subprocess, sys, time\n"
                   "t = time.perf_counter()\n"
                   "try:\n"
                   f"    r = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout={timeout})\n"
                   "    code, err = r.returncode, r.stderr\n"
                   "except subprocess.TimeoutExpired:\n"
                   "    code, err = 'timeout', ''\n"
                   "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
                   "rss, cpu = use.ru_maxrss / 1024, use.ru_utime + use.ru_stime\n"
                   "tb = 'TRACEBACK ' if 'Traceback' in err else ''\n"
                   "print(f'exit {code:>7}  {time.perf_counter() - t:6.1f} s wall {cpu:6.1f} s cpu {rss:6.0f} MB peak  {tb}' + "
                   "(err.strip().splitlines() or [''])[-1][:90])\n")
        env = {**os.environ, "POSTCHECK_CACHE_DIR": str(folder / ".cache")}
        proc = subprocess.run([sys.executable, "-c", wrapper, *command, *extra, "--no-cache", *args],
                              cwd=folder, capture_output=True, text=True, env=env, timeout=timeout + 60)
        return proc.stdout.strip() or proc.stderr.strip()[-200:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postcheck", default=f"{sys.executable} -m postcheck", help="command that runs postcheck")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case counts as a hang")
    parser.add_argument("--only", nargs="*", default=None, help="case names (default: all)")
    args = parser.parse_args()
    command = args.postcheck.split()
    for name in args.only or CASES:
        print(f"{name:28} {run_case(name, command, args.timeout)}", flush=True)
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
