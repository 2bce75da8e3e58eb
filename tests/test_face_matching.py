"""Face matching: identification with margins and age bands (unit), and on the real fixture photos (end to end)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from postcheck.config import Config, ConfigError, ConsentEntry, ConsentList, load_config
from postcheck.engine import Engine
from postcheck.images.matching import Gallery, Policy, Thresholds, decide
from postcheck.images.settings import band_of_year
from postcheck.model import Report, Severity, Verdict
from postcheck.posts import ANY_FOLDER, load_draft

from conftest import shared_path

POLICY = Policy({b: Thresholds(0.4, 0.55) for b in ("child", "teen", "adult")}, match_margin=0.05, review_margin=0.06)


def unit(*values: float) -> np.ndarray:
    """A 128-d vector with the given leading values (distances between them are easy to read)."""
    vector = np.zeros(128)
    vector[:len(values)] = values
    return vector


def gallery(*people: tuple[list[np.ndarray], bool, str]) -> Gallery:
    return Gallery.build([(np.array(refs), objector, band) for refs, objector, band in people])


# --- matching: the decision rule ---------------------------------------------------------------

def test_nearest_objector_within_the_match_distance_and_clear_of_everyone_is_a_match():
    g = gallery(([unit(0.0)], True, "child"), ([unit(1.0)], True, "child"))
    (d,) = decide(g, unit(0.3)[None], POLICY)
    assert (d.band, d.person, round(d.distance, 3), round(d.margin, 3), d.close) == ("match", 0, 0.3, 0.4, 0)


def test_a_second_learner_almost_as_near_turns_an_error_into_a_review_and_is_counted():
    g = gallery(([unit(0.0)], True, "child"), ([unit(0.62)], True, "child"))
    (d,) = decide(g, unit(0.3)[None], POLICY)  # 0.30 vs 0.32: no clear winner
    assert (d.band, d.person, d.close) == ("possible", 0, 1)


def test_a_roster_pupil_clearly_nearer_than_the_objector_clears_the_face():
    g = gallery(([unit(0.0)], True, "child"), ([unit(0.45)], False, "child"))
    (d,) = decide(g, unit(0.4)[None], POLICY)  # the pupil at 0.05, the objector at 0.40
    assert d.band == "none" and d.person == 0 and d.margin < -POLICY.review_margin


def test_a_roster_pupil_only_slightly_nearer_still_leaves_a_review():
    g = gallery(([unit(0.0)], True, "child"), ([unit(0.66)], False, "child"))
    (d,) = decide(g, unit(0.35)[None], POLICY)  # pupil 0.31, objector 0.35
    assert d.band == "possible"


def test_every_reference_counts_and_the_nearest_is_reported():
    g = gallery(([unit(5.0), unit(0.0), unit(-5.0)], True, "child"))
    (d,) = decide(g, unit(0.2)[None], POLICY)
    assert d.band == "match" and d.reference == 1


def test_thresholds_follow_the_learners_age_band():
    policy = Policy({"child": Thresholds(0.40, 0.50), "teen": Thresholds(0.50, 0.60), "adult": Thresholds(0.55, 0.6)})
    face = unit(0.45)[None]
    assert decide(gallery(([unit(0.0)], True, "teen")), face, policy)[0].band == "match"
    assert decide(gallery(([unit(0.0)], True, "child")), face, policy)[0].band == "possible"


def test_faces_far_from_everyone_and_galleries_without_objectors_give_no_match():
    far = decide(gallery(([unit(0.0)], True, "child")), unit(3.0)[None], POLICY)
    pupils_only = decide(gallery(([unit(0.0)], False, "child")), unit(0.0)[None], POLICY)
    assert far[0].band == "none" and pupils_only[0].band == "none"


def test_decisions_are_the_same_for_one_face_or_many_and_ties_go_to_list_order():
    g = gallery(([unit(0.0, 0.3)], True, "child"), ([unit(0.0, -0.3)], True, "child"))
    faces = np.array([unit(0.0), unit(0.0, 0.28), unit(2.0)])
    together = decide(g, faces, POLICY)
    assert together == [decide(g, face[None], POLICY)[0] for face in faces]
    assert together[0].person == 0  # equidistant: the first learner on the list


@pytest.mark.parametrize("year, band", [
    (None, None), ("R", "child"), ("Reception", "child"), (6, "child"), ("Year 7", "child"), ("Y8", "teen"),
    ("13", "teen"), ("adult", "adult"), ("teen", "teen"),
])
def test_year_groups_map_to_age_bands(year, band):
    assert band_of_year(year) == band


def test_unknown_year_in_the_consent_list_is_a_one_line_config_error(tmp_path):
    path = tmp_path / "consent_list.yaml"
    path.write_text("learners:\n  - id: L1\n    name: Test Child\n    year: Year 15\n", encoding="utf-8")
    from postcheck.config import load_consent_list

    with pytest.raises(ConfigError) as caught:
        load_consent_list(path)
    assert "[learners[0].year]" in str(caught.value) and ":4" in str(caught.value)


def test_photo_roster_must_be_a_folder_with_photos(tmp_path):
    config = tmp_path / "postcheck.yaml"
    config.write_text("photo_roster: pupils/\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="folder not found"):
        load_config(config)
    (tmp_path / "pupils").mkdir()
    with pytest.raises(ConfigError, match="no photos"):
        load_config(config)
    (tmp_path / "pupils" / "A123.jpg").write_bytes(b"")
    (tmp_path / "pupils" / "notes.txt").write_text("x")
    loaded = load_config(config)
    assert [p.name for p in loaded.photo_roster] == ["A123.jpg"] and loaded.photo_roster[0] in loaded.own_files()


# --- end to end on the fixture photos ------------------------------------------------------------

def face(*parts: str) -> Path:
    return shared_path("fixtures", "faces", *parts)


OBJECTOR_PHOTOS = [(("people", "obama", name), "L0042") for name in
                   ("obama2.jpg", "obama3.jpg", "obama-480p.jpg", "obama-1080p.jpg", "obama_small.jpg")] + [
                   (("people", "kit_harington", name), "L0057") for name in ("kit2.jpg", "kit3.jpg")]
OTHER_PHOTOS = [("other", "lin-manuel-miranda.png"), ("groups", "group_6_faces.jpg"), ("groups", "group_7_faces.jpg"),
                ("other", "dogs_no_faces.jpg")]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def check(config: Config, folder: Path, *images: Path):
    draft = folder / "post.md"
    draft.write_text("---\naccount: school\n---\nOur day!\n\n" + "\n".join(f"![p]({i})" for i in images) + "\n")
    engine = Engine(config)
    # the fixtures stay in ../shared: let the draft read them from there
    return engine.check_post(load_draft(draft, default_account="school", image_roots=ANY_FOLDER)), engine.ctx.notices


def objected(result):
    return [f for f in result.findings if f.rule == "objected-image" and f.severity is not Severity.INFO]


def consent_list(tmp_path: Path) -> ConsentList:
    # no year given: judged with the child thresholds, the strictest
    return ConsentList(tmp_path / "consent_list.yaml", (
        ConsentEntry("L0042", "Amelia Hart", "photos", (face("people", "obama", "obama.jpg"),)),
        ConsentEntry("L0057", "Tom Nowicki", "all", (face("people", "kit_harington", "kit1.jpg"),)),
    ))


@pytest.mark.parametrize("parts, learner", OBJECTOR_PHOTOS)
def test_every_objector_photo_in_the_fixtures_is_caught_with_the_right_learner(tmp_path, parts, learner):
    result, notices = check(Config(consent_list=consent_list(tmp_path)), tmp_path, face(*parts))
    (finding,) = objected(result)
    assert finding.details["learner"] == learner and result.verdict is not Verdict.PASS
    assert Path(finding.details["reference"]).name in ("obama.jpg", "kit1.jpg") and len(finding.details["reference_box"]) == 4
    assert "only one reference photo" in finding.message
    assert any(f"{learner} has only one usable reference photo" in n for n in notices)


@pytest.mark.parametrize("parts", OTHER_PHOTOS + [("people", "kit_harington", "kit2.jpg")])
def test_no_fixture_photo_without_an_objector_is_flagged(tmp_path, parts):
    only_obama = ConsentList(tmp_path / "c.yaml", consent_list(tmp_path).learners[:1])
    for consent in (consent_list(tmp_path), only_obama):
        if consent is not only_obama and parts[1] == "kit_harington":
            continue
        result, _ = check(Config(consent_list=consent), tmp_path, face(*parts))
        assert objected(result) == [] and result.verdict is not Verdict.FAIL  # kit2 has EXIF Artist: review


def test_a_face_is_reported_once_with_how_many_other_learners_were_close(tmp_path):
    twins = ConsentList(tmp_path / "c.yaml", (
        ConsentEntry("L1", "Ann One", "photos", (face("people", "obama", "obama.jpg"),)),
        ConsentEntry("L2", "Ben Two", "photos", (face("people", "obama", "obama2.jpg"),)),
        ConsentEntry("L3", "Cat Three", "photos", (face("people", "obama", "obama-1080p.jpg"),)),
    ))
    result, _ = check(Config(consent_list=twins), tmp_path, face("people", "obama", "obama3.jpg"))
    (finding,) = objected(result)  # one face, one finding: never one per learner
    assert finding.details["others_close"] == 2 and "2 other learners on the list also close" in finding.message
    assert finding.severity is Severity.WARNING  # no clear winner among look-alikes: a person decides


def test_a_photo_roster_clears_a_face_that_is_clearly_another_pupil(tmp_path):
    roster = tmp_path / "pupils"
    roster.mkdir()
    (roster / "A1001.jpg").write_bytes(face("people", "obama", "obama.jpg").read_bytes())  # a look-alike pupil
    objector = ConsentList(tmp_path / "c.yaml", (
        ConsentEntry("L0042", "Amelia Hart", "photos", (face("people", "obama", "obama2.jpg"),)),))
    photo = face("people", "obama", "obama-480p.jpg")
    without, _ = check(Config(consent_list=objector), tmp_path, photo)
    assert [f.severity for f in objected(without)] == [Severity.ERROR]
    with_roster, _ = check(Config(consent_list=objector, photo_roster=(roster / "A1001.jpg",)), tmp_path, photo)
    assert objected(with_roster) == [] and with_roster.verdict is Verdict.PASS


def test_a_roster_photo_named_by_the_objectors_id_is_one_more_reference(tmp_path):
    roster = tmp_path / "pupils"
    roster.mkdir()
    (roster / "L0042.jpg").write_bytes(face("people", "obama", "obama.jpg").read_bytes())
    (roster / "A2.jpg").write_bytes(face("people", "kit_harington", "kit1.jpg").read_bytes())
    objector = ConsentList(tmp_path / "c.yaml", (
        ConsentEntry("L0042", "Amelia Hart", "photos", (face("people", "obama", "obama2.jpg"),)),))
    config = Config(consent_list=objector, photo_roster=tuple(sorted(roster.iterdir())))
    result, notices = check(config, tmp_path, face("people", "obama", "obama-480p.jpg"))
    (finding,) = objected(result)
    assert finding.severity is Severity.ERROR and finding.details["references"] == 2
    assert finding.details["reference"].endswith("L0042.jpg") and finding.details["distance"] < 0.2
    assert not any("only one" in n for n in notices)


def _report(result) -> Report:
    return Report(posts=(result,))


def test_reports_show_the_reference_photo_and_box_to_a_person_and_never_under_ci(tmp_path, monkeypatch):
    from postcheck.redact import names_hidden
    from postcheck.reporters import RenderOptions, render

    result, _ = check(Config(consent_list=consent_list(tmp_path)), tmp_path, face("people", "obama", "obama2.jpg"))
    report = _report(result)
    human = io.StringIO()
    render("human", report, human, RenderOptions(show_names=True, width=200))
    shown = " ".join(human.getvalue().split())
    assert "compare face" in shown and "with reference photo" in shown
    assert "obama.jpg (face " in shown
    page = io.StringIO()
    render("html", report, page, RenderOptions(show_names=True))
    assert page.getvalue().count('<div class="compare">') == 1 and page.getvalue().count("data:image/jpeg") >= 3
    ci = {"CI": "true"}  # names and reference photos are hidden in every format under CI
    hidden = {}
    for fmt in ("human", "html", "json"):
        out = io.StringIO()
        render(fmt, report, out, RenderOptions(show_names=not names_hidden(fmt, False, ci), width=200))
        hidden[fmt] = " ".join(out.getvalue().split())  # rich wraps long paths where it likes
    # the message may say "only one reference photo"; the comparison and its path must not be there
    assert "compare face" not in hidden["human"] and "with reference photo" not in hidden["human"]
    assert "obama.jpg" not in hidden["human"].replace("obama2.jpg", "")
    assert '<div class="compare">' not in hidden["html"] and "obama.jpg" not in hidden["html"].replace("obama2.jpg", "")
    (finding,) = [f for p in json.loads(hidden["json"])["posts"] for f in p["findings"] if f["rule"] == "objected-image"]
    assert "reference" not in finding["details"] and "reference_box" not in finding["details"]


def test_face_settings_choose_the_policy(tmp_path):
    from postcheck.images.settings import face_settings

    by_age = face_settings({"tolerance": None, "margin": 0.1}).policy()
    assert by_age.match_margin == 0.1 and by_age.thresholds["child"].match < by_age.thresholds["adult"].match
    fixed = face_settings({"tolerance": 0.5, "possible": 0.6}).policy()
    assert {t.match for t in fixed.thresholds.values()} == {0.5} and {t.possible for t in fixed.thresholds.values()} == {0.6}
    with pytest.raises(ConfigError, match="margin must be between"):
        face_settings({"margin": 0.9})
