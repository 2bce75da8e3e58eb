"""``--format html``: a self-contained page, checked in a real headless browser (Debian's chromium)."""
from __future__ import annotations

import base64
import io
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from postcheck.cli import app
from postcheck.model import Finding, PostResult, Report, Severity, Verdict
from postcheck.reporters import RenderOptions, render
from postcheck.reporters.html import BANDS, GPS_COLOUR, VERDICT_COLOURS

from conftest import SCHOOL

CYAN = (0, 255, 255)  # a patch in the sample photo, to see that the thumbnail is drawn
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--window-size=1200,1500"]


def sample_photo(folder: Path) -> Path:
    """400x300 stored, EXIF orientation 6 (shown 300x400), a GPS block, a cyan corner."""
    image = Image.new("RGB", (400, 300), (200, 200, 200))
    ImageDraw.Draw(image).rectangle([0, 0, 60, 60], fill=CYAN)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825)[2] = (53.0, 28.0, 1.0)  # GPSLatitude
    path = folder / "trip.jpg"
    image.save(path, exif=exif)
    return path


def sample_report(folder: Path, faces: bool = True) -> Report:
    photo = str(sample_photo(folder))
    text = "Well done to Amelia Hart at the trip!\n\ntrip"
    findings = [Finding("learner-full-name", "learner-full-name", Severity.ERROR, ("6.3(f)",),
                        "Learner identified by full name", "draft.md", 1, 14, "Amelia Hart", "Use: Amelia", span=(13, 24))]
    if faces:
        findings += [
            Finding("objected-image", "objected-image", Severity.ERROR, ("7.2",), "Objector in photo", photo, None, None,
                    "L0042", details={"box": [20, 20, 100, 100], "band": "match", "initials": "A.H.", "distance": 0.41}),
            Finding("objected-image", "objected-image", Severity.WARNING, ("7.2",), "Possible objector", photo, None,
                    None, "L0043", details={"box": [150, 150, 110, 110], "band": "possible",
                                            "faces": [[20, 20, 100, 100], [150, 150, 110, 110], [200, 300, 80, 80]]}),
            Finding("image-gps", "image-metadata", Severity.ERROR, ("6.3(e)",), "Photo has a GPS position", photo,
                    None, None, "", details={"gps": [53.4, -2.2]}),
        ]
    post = PostResult("draft.md", "school", "facebook", (photo,), tuple(findings), text)
    return Report((post, PostResult("ok.md", "school", None, (), (), "All good")), ("a run-wide note",))


def write_report(folder: Path, report: Report) -> Path:
    out = folder / "report.html"
    with open(out, "w", encoding="utf-8") as handle:
        render("html", report, handle, RenderOptions(clauses={"6.3(f)": "first names only", "7.2": "objections"}))
    return out


def test_self_contained_and_thumbnail_has_no_metadata(tmp_path):
    page = write_report(tmp_path, sample_report(tmp_path)).read_text(encoding="utf-8")
    assert "default-src 'none'" in page
    assert not re.search(r"""(?:src|href)=["'](?:https?:|//|file:)""", page)
    uris = re.findall(r'src="data:image/jpeg;base64,([^"]+)"', page)
    assert len(uris) == 1
    thumb = Image.open(io.BytesIO(base64.b64decode(uris[0])))
    assert thumb.size[0] < thumb.size[1]  # orientation applied: portrait
    assert not thumb.getexif() and "exif" not in thumb.info
    assert page.count('class="face match"') == 1 and page.count('class="face possible"') == 1
    assert page.count('class="face other"') == 1  # the two matched faces are not drawn twice
    assert "A.H. (distance 0.41)" in page and 'class="gps"' in page
    assert '<mark class="error"' in page and "Amelia Hart</mark>" in page


def test_missing_details_and_unreadable_photos_do_not_break(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"not a jpeg")
    findings = (
        Finding("objected-image", "objected-image", Severity.ERROR, ("7.2",), "m", str(bad), None, None, "L1"),
        Finding("objected-image", "objected-image", Severity.WARNING, ("7.2",), "m", str(bad), None, None, "L2",
                details={"box": "nonsense", "faces": [None, [1, 2], {"box": [5, 1, 0, 5]}]}),
        Finding("x", "learner-full-name", Severity.ERROR, (), "m", "p.md", 1, 1, "x", span=(500, 900)),
    )
    post = PostResult("p.md", "school", None, (str(bad), str(tmp_path / "gone.png")), findings, "short <b>text</b>")
    page = write_report(tmp_path, Report((post,))).read_text(encoding="utf-8")
    assert page.count("photo could not be shown") == 2
    assert "<svg" not in page and "&lt;b&gt;text&lt;/b&gt;" in page


def test_cli_writes_html_file(tmp_path):
    photo = tmp_path / "relay.png"
    Image.new("RGBA", (50, 40), (0, 128, 0, 128)).save(photo)
    (tmp_path / "post.md").write_text("Go Amelia Hart!\n\n![relay](relay.png)\n", encoding="utf-8")
    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["check", "-c", str(SCHOOL / "postcheck.yaml"), "-f", "html", "-o", str(out),
                                      str(tmp_path / "post.md")])
    assert result.exit_code == 1
    assert result.output == f"wrote {out}: 1 post, 1 fail, 0 review\n"  # says where the report went
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # children's photos and names: the owner's only
    page = out.read_text(encoding="utf-8")
    assert 'data-verdict="fail"' in page and "data:image/jpeg;base64," in page and "6.3(f)" in page


def _finding(rule: str, category: str, severity: Severity, clauses: tuple, path: str, span=None) -> Finding:
    return Finding(rule, category, severity, clauses, f"{rule} message", path, 1 if span else None,
                   1 if span else None, "x", span=span)


def test_index_puts_failures_first_with_their_reasons(tmp_path):
    info = _finding("photo-faces", "learner-photo", Severity.INFO, (), "a.md")
    posts = (
        PostResult("a.md", "school", None, (), (info,), "All fine"),
        PostResult("b.md", "school", None, (), (_finding("unsafe-link", "unsafe-link", Severity.WARNING, ("6.3(g)",), "b.md", (0, 3)),), "bit.ly/x"),
        PostResult("c.md", "school", None, (), (
            _finding("learner-full-name", "learner-full-name", Severity.ERROR, ("6.3(f)",), "c.md", (0, 4)),
            _finding("learner-name-objection", "learner-full-name", Severity.ERROR, ("7.2", "6.3(f)"), "c.md", (5, 9)),
            _finding("unsafe-link", "unsafe-link", Severity.WARNING, ("6.3(g)",), "c.md", (10, 12))), "Amel Hart xy"),
    )
    page = write_report(tmp_path, Report(posts)).read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><span class="badge (\w+)">.*?<a href="#(post-\d+)">([^<]+)</a></td><td class="n">([^<]+)</td>'
                      r'<td class="reasons">([^<]*)</td></tr>', page)
    assert rows == [
        ("fail", "post-1", "c.md", "3 problems", "learner-full-name (6.3(f), 7.2); unsafe-link (6.3(g))"),
        ("review", "post-2", "b.md", "1 problem", "unsafe-link (6.3(g))"),
        ("pass", "post-3", "a.md", "nothing found", ""),  # an info line is not a problem
    ]
    sections = re.findall(r'<section class="post \w+" id="(post-\d+)" data-verdict="\w+"><h2><span class="badge \w+">\w+</span>([^ <]+)', page)
    assert sections == [("post-1", "c.md"), ("post-2", "b.md"), ("post-3", "a.md")]
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and "f-1-1" in ids and "f-2-1" in ids  # unique across posts
    assert re.findall(r'href="#(f-[\d-]+)"', page) == ["f-1-1", "f-1-2", "f-1-3", "f-2-1"]


def test_post_text_does_not_end_with_photo_file_names(tmp_path):
    photo = str(sample_photo(tmp_path))
    post = PostResult("draft.md", "school", None, (photo, "team-photo.png"), (), "Sports day!\n\ntrip\n\nteam-photo")
    page = write_report(tmp_path, Report((post,))).read_text(encoding="utf-8")
    assert '<div class="text">Sports day!</div>' in page
    alone = PostResult(photo, "school", None, (photo,), (), "trip")
    assert '<div class="text">' not in write_report(tmp_path, Report((alone,))).read_text(encoding="utf-8")


# -- in a real browser ---------------------------------------------------------------------------
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("chromium is not installed (apt-get install -y chromium); the browser tests need it")


def browse(page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = page.parent / f"profile-{len(args)}-{page.stem}"
    profile.mkdir()
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                          capture_output=True, timeout=180, cwd=page.parent)


def colour_count(image: Image.Image, hex_colour: str | tuple[int, int, int], tolerance: int = 12) -> int:
    target = hex_colour if isinstance(hex_colour, tuple) else tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(count for count, pixel in image.getcolors(image.width * image.height)
               if all(abs(a - b) <= tolerance for a, b in zip(pixel, target)))


def screenshot(folder: Path, report: Report) -> Image.Image:
    page = write_report(folder, report)
    shot = folder / f"{page.stem}.png"
    proc = browse(page, f"--screenshot={shot}")
    assert shot.is_file(), proc.stderr.decode(errors="replace")[-2000:]
    return Image.open(shot).convert("RGB")


def test_screenshot_shows_verdicts_photos_face_bands_and_gps(tmp_path):
    image = screenshot(tmp_path, sample_report(tmp_path))
    assert image.size == (1200, 1500)
    assert len(image.getcolors(image.width * image.height)) > 50  # not blank
    assert colour_count(image, CYAN, 20) > 1000  # the thumbnail is drawn
    assert colour_count(image, VERDICT_COLOURS[Verdict.FAIL]) > 300
    assert colour_count(image, VERDICT_COLOURS[Verdict.PASS]) > 300
    for band in ("match", "possible", "other"):
        assert colour_count(image, BANDS[band][0]) > 200, band  # 4 px outlines of ~100 px boxes
    assert colour_count(image, GPS_COLOUR) > 200


def test_screenshot_without_faces_has_no_face_or_gps_colours(tmp_path):
    image = screenshot(tmp_path, sample_report(tmp_path, faces=False))
    assert colour_count(image, CYAN, 20) > 1000
    for colour in (BANDS["match"][0], BANDS["possible"][0], BANDS["other"][0], GPS_COLOUR):
        assert colour_count(image, colour) < 20, colour


def test_dump_dom(tmp_path):
    proc = browse(write_report(tmp_path, sample_report(tmp_path)), "--dump-dom")
    dom = proc.stdout.decode("utf-8", errors="replace")
    assert proc.returncode == 0 and "<html" in dom, proc.stderr.decode(errors="replace")[-2000:]
    sections = re.findall(r'<section class="post (\w+)" id="post-\d+" data-verdict="(\w+)"', dom)
    assert sections == [("fail", "fail"), ("pass", "pass")]
    assert re.search(r'<figure class="photo" data-faces="3" data-gps="true">', dom)
    assert len(re.findall(r"<rect class=\"face ", dom)) == 3
    assert dom.count("<mark ") == 1 and 'id="f-1-1"' in dom


def test_allowed_findings_and_checked_records_are_listed(tmp_path):
    from postcheck.model import Allowed, Checked

    photo = str(sample_photo(tmp_path))
    allowed = Finding("learner-full-name", "learner-full-name", Severity.ERROR, ("6.3(f)",),
                      "Learner identified by full name", "draft.md", 2, 1, "Amelia Hart", "Use: Amelia", span=(10, 21))
    checked = Checked("objected-image", photo, "1 face checked against the consent list: no match",
                      {"face_count": 1, "faces": [{"box": [20, 20, 100, 100], "band": "other"}]})
    post = PostResult("draft.md", "school", None, (photo,), (), "Well done\nAmelia Hart!", allowed=(
        Allowed(allowed, "Parent agreed, email of 3 May", 1),), checked=(checked,))
    out = io.StringIO()
    render("html", Report((post, PostResult("ok.md", "school", None, (), ()))), out, RenderOptions())
    page = out.getvalue()
    assert re.search(r'class="allowed">.*draft\.md:2:1.*Learner identified by full name.*'
                     r'reason: Parent agreed, email of 3 May', page)
    assert "checked: 1 face checked against the consent list: no match" in page
    assert 'data-faces="1"' in page and "nothing found" in page and "1 problem<" not in page
