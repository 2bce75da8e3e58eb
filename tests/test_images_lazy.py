"""No face model (nor dlib) is loaded for a run without images."""
from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, SCHOOL


def test_text_only_run_loads_no_image_libraries(tmp_path):
    draft = tmp_path / "post.md"
    draft.write_text("Well done to Year 6 on a brilliant sports day!\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from postcheck.config import load_config\n"
        "from postcheck.engine import Engine\n"
        "from postcheck.posts import load_draft\n"
        f"engine = Engine(load_config(Path({str(SCHOOL / 'postcheck.yaml')!r})))\n"
        f"result = engine.check_post(load_draft(Path({str(draft)!r})))\n"
        "print(result.verdict.value, sorted(m for m in ('dlib', 'face_recognition', 'pillow_heif') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "pass []"
