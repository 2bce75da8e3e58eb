"""Video clips end to end: clips built here with PyAV from the face fixtures (skipped when ../shared is absent)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from postcheck.config import Config, ConfigError, ConsentEntry, ConsentList, load_config
from postcheck.engine import Engine
from postcheck.images.video import describe_ranges, fmt_time, time_ranges
from postcheck.model import Report, Severity, Verdict
from postcheck.posts import load_draft
from postcheck.reporters import RenderOptions, render

from conftest import shared_path

SIZE = (640, 360)


def face(*parts: str) -> Image.Image:
    """A fixture photo fitted into a video frame (grey bars around it)."""
    photo = Image.open(shared_path("fixtures", "faces", "people", *parts)).convert("RGB")
    photo.thumbnail(SIZE)
    frame = Image.new("RGB", SIZE, (70, 70, 70))
    frame.paste(photo, ((SIZE[0] - photo.width) // 2, (SIZE[1] - photo.height) // 2))
    return frame


def make_clip(path: Path, scenes: list[tuple[float, Image.Image]], fps: int = 25, codec: str = "libx264",
              options: dict | None = None) -> Path:
    """Write a clip showing each (seconds, picture) in turn."""
    import av

    with av.open(str(path), "w", options=options or {}) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        for seconds, picture in scenes:
            for _ in range(round(seconds * fps)):
                for packet in stream.encode(av.VideoFrame.from_image(picture)):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def draft_with(tmp_path: Path, *media: Path) -> Path:
    body = "Sports day!\n\n" + "\n".join(f"![clip]({m})" for m in media)
    path = tmp_path / "post.md"
    path.write_text(f"---\naccount: school\n---\n{body}\n", encoding="utf-8")
    return path


def check(config: Config, draft: Path):
    engine = Engine(config)
    return engine.check_post(load_draft(draft, default_account=config.account))


def of(result, rule: str):
    return [f for f in result.findings if f.rule == rule]


def objector(tmp_path: Path) -> Config:
    reference = shared_path("fixtures", "faces", "people", "obama", "obama.jpg")
    entry = ConsentEntry("L0042", "Amelia Hart", "photos", (reference,))
    return Config(consent_list=ConsentList(tmp_path / "consent_list.yaml", (entry,)))


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def others(tmp_path) -> list[Image.Image]:
    return [face("kit_harington", "kit1.jpg"), face("kit_harington", "kit2.jpg")]


def test_objector_on_screen_for_a_second_and_a_half_is_caught_with_the_time_range(tmp_path, others):
    scenes = [(4.0, others[0]), (1.5, face("obama", "obama2.jpg")), (4.5, others[1])]
    clip = make_clip(tmp_path / "sports-day.mp4", scenes)
    result = check(objector(tmp_path), draft_with(tmp_path, clip))
    (finding,) = of(result, "objected-image")  # one finding per learner, not one per frame
    assert finding.severity is Severity.ERROR and result.verdict is Verdict.FAIL
    assert finding.path.endswith("sports-day.mp4") and "L0042" in finding.message
    (start, end), = finding.details["ranges"]
    assert 3.9 <= start <= 4.1 and 5.0 <= end <= 5.5  # on screen 4.0-5.5 s
    assert "0:04–0:05" in finding.message and "Amelia" not in finding.message + str(finding.details)
    assert 4.0 <= finding.details["time"] <= 5.5 and len(finding.details["box"]) == 4
    # the HTML report shows the frame with the finding, with the learner's face boxed in red
    page = io.StringIO()
    render("html", Report((result,)), page, RenderOptions())
    strip = page.getvalue()
    assert "sports-day.mp4 at 0:0" in strip and strip.count('<img alt="sports-day.mp4 at') == 1
    assert 'class="face match"' in strip and "data:image/jpeg;base64," in strip


def test_clip_of_other_people_passes_and_says_what_was_checked(tmp_path, others):
    clip = make_clip(tmp_path / "others.mp4", [(3.0, others[0]), (3.0, others[1])])
    result = check(objector(tmp_path), draft_with(tmp_path, clip))
    assert not of(result, "objected-image") and result.verdict is Verdict.PASS
    (record,) = [c for c in result.checked if c.rule == "objected-image"]  # what was looked at
    assert record.path.endswith("others.mp4") and "sampled frames checked" in record.message
    assert all("time" in face for face in record.details["faces"])


def test_one_second_on_screen_is_caught_between_regular_samples(tmp_path, others):
    # the objector appears 0.3 s after a regular sample and leaves 1 s later (a cut, not a fade)
    scenes = [(2.3, others[0]), (1.0, face("obama", "obama3.jpg")), (2.0, others[0])]
    clip = make_clip(tmp_path / "brief.webm", scenes, codec="libvpx-vp9")
    (finding,) = of(check(objector(tmp_path), draft_with(tmp_path, clip)), "objected-image")
    assert finding.severity is Severity.ERROR and 2.2 <= finding.details["time"] <= 3.3


@pytest.mark.parametrize("faststart", [False, True])
def test_truncated_clip_is_an_input_error(tmp_path, others, faststart):
    options = {"movflags": "faststart"} if faststart else None
    clip = make_clip(tmp_path / "cut.mp4", [(3.0, others[0]), (3.0, others[1])], options=options)
    clip.write_bytes(clip.read_bytes()[: clip.stat().st_size * 6 // 10])
    result = check(Config(), draft_with(tmp_path, clip))
    (finding,) = of(result, "image-unreadable")
    assert finding.category == "input-error" and finding.severity is Severity.ERROR
    assert "truncated" in finding.message and "\n" not in finding.message
    assert result.verdict is Verdict.FAIL


def test_text_posing_as_a_video_is_an_input_error(tmp_path):
    clip = tmp_path / "clip.mov"
    clip.write_text("not a video", encoding="utf-8")
    (finding,) = of(check(Config(), draft_with(tmp_path, clip)), "image-unreadable")
    assert finding.severity is Severity.ERROR and "Video could not be checked" in finding.message


def test_playlist_posing_as_a_clip_is_refused_without_opening_its_urls(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://192.0.2.1/segment.ts\n#EXT-X-ENDLIST\n",
                    encoding="utf-8")
    (finding,) = of(check(Config(), draft_with(tmp_path, clip)), "image-unreadable")
    assert finding.severity is Severity.ERROR and "Video could not be checked" in finding.message


def test_clip_over_the_length_cap_is_an_input_error_naming_the_setting(tmp_path, others):
    clip = make_clip(tmp_path / "long.mp4", [(3.0, others[0])], fps=10)
    config = Config(sections={"video": {"max_seconds": 2}})
    (finding,) = of(check(config, draft_with(tmp_path, clip)), "image-unreadable")
    assert finding.severity is Severity.ERROR and "video.max_seconds" in finding.message


def test_video_off_is_a_warning_not_a_pass_and_not_decoded(tmp_path, others):
    clip = make_clip(tmp_path / "clip.mp4", [(1.0, others[0])])
    config = objector(tmp_path)
    config.sections["video"] = {"enabled": False}
    result = check(config, draft_with(tmp_path, clip))
    (finding,) = of(result, "image-unreadable")
    assert finding.severity is Severity.WARNING and "video: false" in finding.message
    assert not [f for f in of(result, "objected-image") if f.severity is not Severity.INFO]


def test_location_and_author_tags_go_to_the_metadata_rule(tmp_path, others):
    clip = make_clip(tmp_path / "tagged.mov", [(1.0, others[0])])
    import av

    tagged = tmp_path / "tagged-gps.mov"
    with av.open(str(clip)) as source, av.open(str(tagged), "w") as target:
        target.metadata.update({"location": "+54.9100-001.3800/", "artist": "Jo Bloggs"})
        stream = target.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    result = check(Config(), draft_with(tmp_path, tagged))
    (finding,) = of(result, "image-metadata")  # one finding per clip, listing everything found in it
    assert finding.severity is Severity.ERROR and "GPS" in finding.message
    assert "author" in finding.message.lower() or "artist" in finding.message.lower()
    assert "Jo Bloggs" not in finding.message
    assert not of(check(Config(), draft_with(tmp_path, clip)), "image-metadata")


def test_videos_in_a_folder_walk_are_posts(tmp_path, others):
    from postcheck.discovery import discover

    make_clip(tmp_path / "a.m4v", [(0.5, others[0])])
    assert [(s.path.name, s.kind) for s in discover([tmp_path])] == [("a.m4v", "image")]


@pytest.mark.parametrize("text, key", [
    ("video: 3\n", "video"),
    ("video: {max_seconds: 0}\n", "video.max_seconds"),
    ("video: {colour: true}\n", "video.colour"),
    ("faces: {video_fps: 100}\n", "faces.video_fps"),
    ("images: {ocr: maybe}\n", "images.ocr"),
    ("images: [ocr]\n", "images"),
])
def test_bad_video_and_ocr_settings_are_one_line_config_errors(tmp_path, text, key):
    path = tmp_path / "postcheck.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key and "\n" not in str(caught.value)


def test_time_ranges_merge_consecutive_samples():
    samples = (0.0, 1.0, 2.0, 2.4, 3.0, 4.0, 5.0)
    assert time_ranges([1.0, 2.0, 2.4, 5.0], samples) == [(1.0, 2.4), (5.0, 5.0)]
    assert describe_ranges([(1.0, 2.4), (5.0, 5.0)]) == "0:01–0:02, 0:05"
    assert fmt_time(3725) == "1:02:05" and fmt_time(67.9) == "1:07"
