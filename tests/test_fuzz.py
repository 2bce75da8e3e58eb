"""Fuzz: random drafts, front matter, rosters, settings and images thrown at the command line.

Every round writes a folder of random inputs (a seeded generator: the same seed makes the same
files), runs `postcheck` on it in a fresh process, and asserts what must hold for any input: exit
0, 1 or 2; no traceback; the run ends (a generous hang guard, not a speed goal) within bounded
memory; and no input changed. POSTCHECK_FUZZ_ROUNDS=200 (and POSTCHECK_FUZZ_SEED) runs a longer
fuzz; the suite runs two rounds.
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

ROUNDS = int(os.environ.get("POSTCHECK_FUZZ_ROUNDS", "2"))
SEED = int(os.environ.get("POSTCHECK_FUZZ_SEED", "16"))
HANG_GUARD_S = 600
MEMORY_GUARD_MB = 4096

WORDS = ["Amelia", "Hart", "Tom", "Quill", "well", "done", "to", "the", "Year", "6", "team", "relay", "county",
         "champion", "email", "me", "at", "07700", "900123", "http://bit.ly/x", "https://example.org/a?b=c",
         "born", "3/5/2014", "Mrs", "Marsh", "!", "?", "...", '"', "😀", "#AmeliaHart", "@amelia.hart", "—", "é",
         "\u200b", "\u202e", "\x1b[31m", "&nbsp;", "<b>", "</b>", "**", "_", "`", "\\", "\t", "\r\n", "\n", "\n\n"]
SNIPPETS = ["<!-- postcheck: allow learner-full-name reason=\"ok\" -->", "<!-- postcheck ", "<!-- postcheck: allow -->",
            "![team](team.png)", "![missing](nope.jpg)", "![remote](https://x.org/a.jpg)", "[link](http://x.org)",
            "<img src=\"team.png\">", "---", "```", "| a | b |", "# Heading", "> quote", "&#101;", "![](</dev/zero>)"]
YAML_VALUES = ["school", "personal", "facebook", "nope", "[Amelia Hart, relay]", "{a: 1}", "&a [1, 2]", "*a", "*b",
               "'unterminated", "!!python/object:os.system", "1e400", "~", "[[[[[[", "|\n  Amelia Hart\n", "[team.png]",
               "2024-13-45", "!!binary aGVsbG8="]
FM_KEYS = ["account", "platform", "title", "images", "tags", "date", "caption", "a", "b"]


def _text(rng: random.Random, n: int) -> str:
    parts = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.1:
            parts.append(rng.choice(SNIPPETS))
        elif roll < 0.13:
            parts.append(rng.choice(WORDS) * rng.randint(2, 400))  # runs
        else:
            parts.append(rng.choice(WORDS))
        parts.append(rng.choice([" ", " ", " ", "", "\n"]))
    return "".join(parts)


def _front_matter(rng: random.Random) -> str:
    lines = [f"{rng.choice(FM_KEYS)}: {rng.choice(YAML_VALUES)}" for _ in range(rng.randint(0, 5))]
    if rng.random() < 0.2:  # aliases that multiply
        lines += ["x: &x [Amelia Hart, Amelia Hart, Amelia Hart, Amelia Hart]"]
        lines += [f"x{i}: &x{i} [{', '.join(['*x' if i == 0 else f'*x{i - 1}'] * 8)}]" for i in range(rng.randint(1, 9))]
    return "---\n" + "\n".join(lines) + "\n---\n"


def _draft_bytes(rng: random.Random) -> bytes:
    body = (_front_matter(rng) if rng.random() < 0.6 else "") + _text(rng, rng.randint(0, 300))
    roll = rng.random()
    if roll < 0.08:
        return body.encode("utf-16")
    if roll < 0.14:
        return body.encode("cp1252", "replace")
    if roll < 0.18:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 400)))
    data = body.encode("utf-8", "surrogatepass")
    if roll < 0.24 and data:  # cut mid-character
        data = data[: rng.randint(0, len(data))]
    return data


def _image_bytes(rng: random.Random) -> bytes:
    image = Image.new(rng.choice(["RGB", "L", "RGBA", "P", "I;16", "CMYK"]) if rng.random() < 0.8 else "RGB",
                      (rng.randint(1, 64), rng.randint(1, 64)))
    out = io.BytesIO()
    fmt = rng.choice(["PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"])
    try:
        if fmt == "PNG" and rng.random() < 0.3:
            info = PngImagePlugin.PngInfo()
            info.add_text(rng.choice(["Author", "Comment"]), "Amelia Hart" * rng.randint(1, 3000), zip=True)
            image.save(out, fmt, pnginfo=info)
        elif fmt == "JPEG" and rng.random() < 0.4:
            exif = Image.Exif()
            exif[0x010E] = "Amelia Hart " * 20
            exif[0x013B] = "Photographer"
            data = exif.tobytes()
            image.convert("RGB").save(out, fmt, exif=data[: rng.randint(8, len(data))])
        else:
            image.convert("RGB" if fmt in ("JPEG",) else image.mode if fmt in ("PNG", "TIFF") else "RGB").save(out, fmt)
    except (OSError, ValueError, KeyError):
        image.convert("RGB").save(out, "PNG")
    data = out.getvalue()
    roll = rng.random()
    if roll < 0.2:
        data = data[: rng.randint(0, len(data))]  # truncated
    elif roll < 0.3:
        data = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.getrandbits(8)
        data = bytes(data)
    return data


def _roster(rng: random.Random, broken: bool) -> bytes:
    rows = ["first_name,last_name,preferred_name,year"]
    for _ in range(rng.randint(0, 12)):
        first = rng.choice(["Amelia", "Tom", "Zoë", "Ólafur", '"Quoted, name"', "Ann-Marie", "A" * 50]
                           + (["", ".", "\x1b"] if broken else []))
        last = rng.choice(["Hart", "Quill", "O'Neill", "Nowicki", "-", "de la Cruz"] + (["", "Smith,Jones"] if broken else []))
        rows.append(f"{first},{last},{rng.choice(['', 'Millie', 'T'])},{rng.choice(['6', 'Y7', ''])}")
    data = "\n".join(rows) + "\n"
    return data.encode("utf-8") if rng.random() < 0.85 else data.encode("utf-16")


def _inputs(rng: random.Random, folder: Path) -> list[str]:
    folder.mkdir()
    broken = rng.random() < 0.2  # settings that may be refused (exit 2); otherwise the drafts are exercised
    (folder / "roster.csv").write_bytes(_roster(rng, broken))
    (folder / "staff.txt").write_text(rng.choice(["Mrs Jane Marsh\n", "", "# none\n", "Amelia Hart\n"]))
    settings = ["school: Fuzz School", "roster: roster.csv", "staff: staff.txt"]
    if rng.random() < 0.5:
        (folder / "consent.yaml").write_text(rng.choice([
            "learners:\n  - {id: L1, name: Amelia Hart, objection: name}\n",
            "learners:\n  - {id: L2, name: Tom Quill, objection: photos, photos: [posts/team.png]}\n", "",
        ] + (["learners: &l [*l]\n", "learners: 7\n"] if broken else [])))
        settings.append("consent_list: consent.yaml")
    if rng.random() < 0.3:
        settings.append(rng.choice(["account: personal", "rules: {reference: false}", "nlp: {model: none}",
                                    "rules: {unsafe-link: {severity: warning}}"] + (["faces: {max_side: 'big'}"] if broken else [])))
    (folder / "postcheck.yaml").write_text("\n".join(settings) + "\n")
    posts = folder / "posts"
    posts.mkdir()
    for i in range(rng.randint(1, 6)):
        (posts / f"draft-{i}{rng.choice(['.md', '.txt', '.markdown'])}").write_bytes(_draft_bytes(rng))
    for name in ["team.png"] + [f"photo-{i}.{rng.choice(['jpg', 'png', 'gif', 'webp'])}" for i in range(rng.randint(0, 2))]:
        (posts / name).write_bytes(_image_bytes(rng))
    return ["-c", str(folder / "postcheck.yaml"), "--format", rng.choice(["human", "json", "github", "sarif", "junit", "html"]),
            "--jobs", rng.choice(["1", "2"]), str(posts)]


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_random_inputs_never_crash_hang_or_change_anything(tmp_path, round_number):
    rng = random.Random(SEED * 100_003 + round_number)
    args = _inputs(rng, tmp_path / "in")
    before = _hashes(tmp_path / "in")
    env = {**os.environ, "POSTCHECK_CACHE_DIR": str(tmp_path / "cache"), "PYTHONWARNINGS": "default"}
    env.pop("CI", None)
    wrapper = ("import resource, subprocess, sys\n"
               f"r = subprocess.run(sys.argv[1:], capture_output=True, timeout={HANG_GUARD_S})\n"
               "sys.stdout.buffer.write(r.stdout)\n"
               "sys.stderr.buffer.write(r.stderr)\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "postcheck", "check", *args],
                          capture_output=True, env=env, cwd=tmp_path, timeout=HANG_GUARD_S + 60)
    stderr = proc.stderr.decode("utf-8", "replace")
    *messages, last = stderr.rstrip("\n").split("\n")
    peak_kb, code = (int(v) for v in last.split())
    where = f"seed {SEED} round {round_number}: {args}\n{stderr[-3000:]}"
    assert code in (0, 1, 2), where
    assert "Traceback" not in stderr and "Warning" not in stderr, where
    if code == 2:  # a usage or configuration error: exactly one line
        assert len([m for m in messages if m.strip()]) == 1 and messages[0].startswith("postcheck: error: "), where
    assert peak_kb < MEMORY_GUARD_MB * 1024, where
    proc.stdout.decode("utf-8")  # reports are valid UTF-8, whatever the input
    assert _hashes(tmp_path / "in") == before, where
