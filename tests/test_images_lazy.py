"""No face model (nor dlib), OCR engine or video decoder is loaded for a run that does not need it."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, SCHOOL

HEAVY = ("dlib", "face_recognition", "pillow_heif", "av", "cv2", "onnxruntime", "rapidocr_onnxruntime")


def test_text_only_run_loads_no_image_libraries(tmp_path):
    draft = tmp_path / "post.md"
    draft.write_text("Well done to Year 6 on a brilliant sports day!\n", encoding="utf-8")
    script = (
        f"import sys\nHEAVY = {HEAVY!r}\n"
        "from pathlib import Path\n"
        "from postcheck.config import load_config\n"
        "from postcheck.engine import Engine\n"
        "from postcheck.posts import load_draft\n"
        f"engine = Engine(load_config(Path({str(SCHOOL / 'postcheck.yaml')!r})))\n"
        f"result = engine.check_post(load_draft(Path({str(draft)!r})))\n"
        "print(result.verdict.value, sorted(m for m in HEAVY if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "pass []"


def run_with_photo(tmp_path, config_text: str) -> list[str]:
    """Modules of HEAVY loaded by checking a draft with one photo (without faces) under this configuration."""
    from PIL import Image

    Image.new("RGB", (320, 240), (90, 140, 90)).save(tmp_path / "field.jpg")
    draft = tmp_path / "post.md"
    draft.write_text("Sports day!\n\n![the field](field.jpg)\n", encoding="utf-8")
    config = tmp_path / "postcheck.yaml"
    config.write_text(config_text, encoding="utf-8")
    script = (
        f"import sys\nHEAVY = {HEAVY!r}\n"
        "from pathlib import Path\n"
        "from postcheck.config import load_config\n"
        "from postcheck.engine import Engine\n"
        "from postcheck.posts import load_draft\n"
        f"engine = Engine(load_config(Path({str(config)!r})))\n"
        f"engine.check_post(load_draft(Path({str(draft)!r})))\n"
        "import json\nprint(json.dumps(sorted(m for m in HEAVY if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_photo_loads_the_ocr_engine_but_not_the_video_decoder(tmp_path):
    loaded = run_with_photo(tmp_path, "school: Test\n")
    assert "onnxruntime" in loaded and "av" not in loaded


def test_ocr_off_loads_no_ocr_engine(tmp_path):
    loaded = run_with_photo(tmp_path, "images: {ocr: false}\nvideo: false\n")
    assert not {"onnxruntime", "cv2", "rapidocr_onnxruntime", "av"} & set(loaded)
