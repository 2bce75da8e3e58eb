"""No face model (nor dlib), OCR engine or video decoder is loaded for a run that does not need it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SCHOOL

HEAVY = ("dlib", "face_recognition", "pillow_heif", "av", "cv2", "onnxruntime", "rapidocr_onnxruntime")


def checked(config: Path, draft: Path) -> tuple[str, list[str]]:
    """Check one draft in a fresh process: its verdict and the modules of HEAVY that got loaded."""
    script = (
        f"import json, sys\nHEAVY = {HEAVY!r}\n"
        "from pathlib import Path\n"
        "from postcheck.config import load_config\n"
        "from postcheck.engine import Engine\n"
        "from postcheck.posts import load_draft\n"
        f"engine = Engine(load_config(Path({str(config)!r})))\n"
        f"result = engine.check_post(load_draft(Path({str(draft)!r})))\n"
        "print(json.dumps([result.verdict.value, sorted(m for m in HEAVY if m in sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    verdict, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return verdict, loaded


def test_text_only_run_loads_no_image_libraries(tmp_path):
    draft = tmp_path / "post.md"
    draft.write_text("Well done to Year 6 on a brilliant sports day!\n", encoding="utf-8")
    assert checked(SCHOOL / "postcheck.yaml", draft) == ("pass", [])


def run_with_photo(tmp_path, config_text: str) -> list[str]:
    """Modules of HEAVY loaded by checking a draft with one photo (without faces) under this configuration."""
    from PIL import Image

    Image.new("RGB", (320, 240), (90, 140, 90)).save(tmp_path / "field.jpg")
    draft = tmp_path / "post.md"
    draft.write_text("Sports day!\n\n![the field](field.jpg)\n", encoding="utf-8")
    config = tmp_path / "postcheck.yaml"
    config.write_text(config_text, encoding="utf-8")
    return checked(config, draft)[1]


def test_photo_loads_the_ocr_engine_but_not_the_video_decoder(tmp_path):
    loaded = run_with_photo(tmp_path, "school: Test\n")
    assert "onnxruntime" in loaded and "av" not in loaded


def test_ocr_off_loads_no_ocr_engine(tmp_path):
    loaded = run_with_photo(tmp_path, "images: {ocr: false}\nvideo: false\n")
    assert not {"onnxruntime", "cv2", "rapidocr_onnxruntime", "av"} & set(loaded)
