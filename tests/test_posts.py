"""Loading posts: front matter, images, positions, and inputs that must not crash postcheck."""
from __future__ import annotations

from pathlib import Path

import pytest

from postcheck.discovery import InputPathError, discover
from postcheck.posts import MAX_DRAFT_BYTES, load_draft


def draft(tmp_path: Path, text: str | bytes, name: str = "post.md") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def image(tmp_path: Path, name: str) -> Path:
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (8, 8), "white").save(path)
    return path


@pytest.mark.parametrize("value, platform, problem", [
    ("Website", "website", None),  # the school's own news page
    ("tiktok", None, "platform must be one of facebook, x, instagram, linkedin, website, not 'tiktok'"),
])
def test_platform_in_front_matter(tmp_path, value, platform, problem):
    post = load_draft(draft(tmp_path, f"---\nplatform: {value}\n---\nHello\n"))
    assert post.platform == platform
    assert [p.message for p in post.problems] == ([problem] if problem else [])
    if problem:
        assert post.problems[0].line == 2

def test_front_matter_and_body_positions(tmp_path):
    path = draft(tmp_path, "---\naccount: personal\nplatform: X\ntitle: Hello there\n---\nLine one\nsecond line here\n")
    post = load_draft(path)
    assert (post.account, post.platform, post.problems) == ("personal", "x", ())
    offset = post.text.index("second")
    assert post.locate(offset)[1:] == (7, 1)
    offset = post.text.index("line here")
    assert post.locate(offset)[1:] == (7, 8)
    title = post.text.index("Hello")
    assert post.locate(title)[1:] == (4, 8)


def test_markdown_and_front_matter_images_belong_to_the_post(tmp_path):
    image(tmp_path, "a.png")
    (tmp_path / "pics").mkdir()
    image(tmp_path / "pics", "b.png")
    post = load_draft(draft(tmp_path, "---\nimages: [pics/b.png]\n---\nLook ![the relay team](a.png \"t\")\n"))
    assert sorted(ref.path.name for ref in post.images) == ["a.png", "b.png"]
    alt = next(ref for ref in post.images if ref.path.name == "a.png")
    assert (alt.alt, alt.line, alt.column) == ("the relay team", 4, 6)
    # alt text is post text; the destination is blanked from prose
    assert "the relay team" in post.prose and "a.png" not in post.prose.split("\n\n")[0]
    assert any(seg.field == "image-name" for seg in post.segments)


def test_missing_and_remote_images_are_problems(tmp_path):
    post = load_draft(draft(tmp_path, "Hi\n![x](gone.jpg)\n![y](https://example.org/y.jpg)\n"))
    messages = [(p.message, p.line) for p in post.problems]
    assert ("image not found: gone.jpg", 2) in messages
    assert any("remote image" in m and line == 3 for m, line in messages)


@pytest.mark.parametrize("content, fragment", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"caf\x81 \x8d\x8f", "cannot decode"),
    (b"x" * (MAX_DRAFT_BYTES + 1), "over the"),
])
def test_unreadable_drafts_are_problems_not_crashes(tmp_path, content, fragment):
    post = load_draft(draft(tmp_path, content))
    assert post.problems and fragment in post.problems[0].message


def test_legacy_encoding_is_read(tmp_path):
    post = load_draft(draft(tmp_path, "Well done Zoë – a great term".encode("cp1252")))
    assert not post.problems and "Zoë –" in post.text


def test_utf16_with_bom_is_read(tmp_path):
    post = load_draft(draft(tmp_path, "Hello Year 9".encode("utf-16")))
    assert not post.problems and post.text.startswith("Hello")


def test_bad_front_matter_is_a_problem_with_line(tmp_path):
    post = load_draft(draft(tmp_path, "---\naccount: school\ntitle: [oops\n---\nBody\n"))
    assert post.problems and post.problems[0].line in (3, 4) and "front matter" in post.problems[0].message
    post = load_draft(draft(tmp_path, "---\naccount: staffroom\n---\nBody\n"))
    assert post.problems[0].line == 2 and post.account == "school"


def test_discover_pairs_images_with_a_single_draft(tmp_path):
    d = draft(tmp_path, "Sports day")
    a = image(tmp_path, "a.jpg")
    specs = discover([d, a])
    assert [(s.kind, s.extra_images) for s in specs] == [("draft", (a,))]


def test_discover_folder_claims_referenced_images_only(tmp_path):
    image(tmp_path, "used.png")
    image(tmp_path, "lonely.png")
    draft(tmp_path, "![x](used.png)", "a.md")
    (tmp_path / ".git").mkdir()
    draft(tmp_path / ".git", "ignored", "b.md")
    specs = discover([tmp_path])
    assert [(s.kind, s.path.name) for s in specs] == [("draft", "a.md"), ("image", "lonely.png")]


def test_discover_missing_path(tmp_path):
    with pytest.raises(InputPathError, match="no such file"):
        discover([tmp_path / "nope.md"])


def test_loading_never_modifies_the_draft(tmp_path):
    path = draft(tmp_path, "---\ntitle: x\n---\r\nWindows line endings\r\n")
    before = path.read_bytes()
    load_draft(path)
    assert path.read_bytes() == before
