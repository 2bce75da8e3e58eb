"""Configuration: typed values, and one-line errors naming file, line and key."""
from __future__ import annotations

from pathlib import Path

import pytest

from postcheck.config import ConfigError, find_config, load_config, load_consent_list, load_roster
from postcheck.rulepack import load_pack

from conftest import ROOT


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_school_fixture_loads(school_config):
    assert school_config.school == "Hollin Bank Academy"
    assert any(l.full_name == "Amelia Hart" for l in school_config.roster)
    assert "Helen Marsh" in school_config.staff
    assert school_config.consent_list is None


def test_example_consent_list_loads(tmp_path):
    # the documented example refers to photos that a school adds; make them exist
    text = (ROOT / "consent_list.example.yaml").read_text(encoding="utf-8")
    (tmp_path / "consent").mkdir()
    for name in ("L0042-1.jpg", "L0042-2.jpg", "L0042-3.jpg", "L0057-1.jpg"):
        (tmp_path / "consent" / name).write_bytes(b"")
    consent = load_consent_list(write(tmp_path, "consent.yaml", text))
    first = consent.learners[0]
    assert (first.id, first.objection, first.initials, first.year) == ("L0042", "photos", "A.H.", "6")
    assert len(first.photos) == 3
    assert first.restricts_photos and not first.restricts_name
    assert consent.learners[1].restricts_name


def test_bundled_example_config_loads():
    config = load_config(ROOT / "examples" / "postcheck.yaml")
    assert config.roster and config.staff and config.consent_list


def test_find_config_walks_upwards(tmp_path):
    write(tmp_path, "postcheck.yaml", "school: X\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "postcheck.yaml"


def test_missing_config_is_defaults():
    config = load_config(None)
    assert config.roster is None and config.account == "school"


@pytest.mark.parametrize("text, line, fragment", [
    ("school: X\nroster: nope.csv\n", 2, "roster: file not found"),
    ("school: X\naccount: staffroom\n", 2, "account must be one of"),
    ("school: X\nrostr: roster.csv\n", 2, "unknown setting 'rostr'"),
    ("school: [unclosed\n", 1, "invalid YAML"),  # where the bracket opened, not where the file ended
    ("school: X\naccount: school\nwebsite: https://x.org\nroster roster.csv\nstaff: s.txt\n", 4, "expected ':'"),
    ('school: X\naccount: school\nwebsite: x\nroster: "roster.csv\nstaff: s.txt\n', 4, "invalid YAML"),
    ("school: X\nrules: {unsafe-link: {severity: warning}\nstaff: s.txt\n", 2, "invalid YAML"),
    ("school: X\nrules:\n  a: 1\n b: 2\n", 4, "invalid YAML"),
    ("rules:\n  unsafe-link: {severity: loud}\n", 2, "severity must be"),
])
def test_config_errors_name_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path, "postcheck.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert fragment in message
    assert "\n" not in message


def test_unknown_rule_under_rules_names_its_line_and_the_closest_rule(tmp_path):
    path = write(tmp_path, "postcheck.yaml", "school: X\nrules:\n  unsafe-link: {severity: warning}\n  learner-fullname: false\n")
    config = load_config(path)
    with pytest.raises(ConfigError) as info:
        load_pack(config.rule_packs, config.rule_overrides, config.path)
    message = str(info.value)
    assert message.startswith(f"{path}:4:") and "did you mean `learner-full-name`?" in message


@pytest.mark.parametrize("encoding, text", [
    ("utf-8", "first_name;last_name;year\nAmelia;Hart;9\nZoë;Castellano;6\n"),  # Excel in many locales
    ("utf-16", "first_name\tlast_name\nAmelia\tHart\nZoë\tCastellano\n"),  # Excel's "Unicode text": BOM + tabs
    ("utf-16-le", "Forename,Surname\nAmelia,Hart\nZoë,Castellano\n"),  # no byte-order mark
    ("utf-8-sig", "Surname|Forename\nHart|Amelia\nCastellano|Zoë\n"),
    ("utf-8", "Adno,Forename,Surname\n1,Amelia,Hart\n2,Zoë,\"Castellano\"\n"),
])
def test_roster_delimiter_and_encoding_are_sniffed(tmp_path, encoding, text):
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    assert [l.full_name for l in load_roster(path)] == ["Amelia Hart", "Zoë Castellano"]


def test_roster_with_a_header_and_no_learners_is_a_warning(tmp_path, check_text):
    from postcheck.engine import Engine
    from postcheck.posts import post_from_text

    write(tmp_path, "roster.csv", "first_name,last_name\n")
    config = load_config(write(tmp_path, "postcheck.yaml", "roster: roster.csv\n"))
    assert config.roster == ()
    engine = Engine(config)
    engine.check_post(post_from_text("Sports day!", name="d.md"))
    assert any("roster has a header but no learners" in n for n in engine.ctx.notices)


def test_roster_needs_name_columns(tmp_path):
    path = write(tmp_path, "roster.csv", "name,year\nAmelia Hart,9\n")
    with pytest.raises(ConfigError, match="first_name and last_name") as info:
        load_roster(path)
    assert "'name', 'year'" in str(info.value)  # says what it found instead


def test_roster_accepts_mis_export_headers_and_legacy_encoding(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Adno,Forename,Surname,Reg\n1,Zoë,Castellano,6B\n".encode("cp1252"))
    (learner,) = load_roster(path)
    assert learner.full_name == "Zoë Castellano"


def test_roster_row_error_names_line(tmp_path):
    path = write(tmp_path, "roster.csv", "first_name,last_name\nAmelia,Hart\nTom\n")
    with pytest.raises(ConfigError) as info:
        load_roster(path)
    assert str(info.value).startswith(f"{path}:3:")


def test_consent_list_errors(tmp_path):
    path = write(tmp_path, "consent.yaml", "learners:\n  - id: L1\n    name: A B\n    objection: maybe\n")
    with pytest.raises(ConfigError) as info:
        load_consent_list(path)
    assert str(info.value).startswith(f"{path}:4:") and "objection" in str(info.value)
    path = write(tmp_path, "consent.yaml", "learners:\n  - id: L1\n    name: A B\n    photos: [gone.jpg]\n")
    with pytest.raises(ConfigError, match="reference photo not found: gone.jpg"):
        load_consent_list(path)


def test_rule_override_unknown_rule(tmp_path):
    with pytest.raises(ConfigError, match="no rule named 'no-such-rule'"):
        load_pack(overrides={"no-such-rule": {"enabled": False}})


def test_rule_override_disables_and_changes_severity():
    pack = load_pack(overrides={"learner-full-name": {"severity": "warning"}})
    assert pack.get("learner-full-name").severity.value == "warning"
    pack = load_pack(overrides={"learner-full-name": {"enabled": False}})
    assert pack.get("learner-full-name") is None


def test_bad_rule_file_names_file_line_and_valid_kinds(tmp_path):
    write(tmp_path, "my-rule.yaml", "check: magic\ncategory: confidential\nseverity: error\n"
          "clauses: ['4.5']\nmessage: m\nwhy: w\nfix: f\n")
    with pytest.raises(ConfigError) as info:
        load_pack(extra=(tmp_path,))
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'my-rule.yaml'}:1:")
    assert "person_names" in message


def test_extra_pack_adds_a_rule(tmp_path):
    write(tmp_path, "our-roster-names.yaml", "check: person_names\ncategory: learner-full-name\n"
          "severity: warning\nclauses: ['6.3(f)']\nmessage: m\nwhy: w\nfix: f\n")
    pack = load_pack(extra=(tmp_path,))
    assert pack.get("our-roster-names").severity.value == "warning"
    assert pack.get("learner-full-name") is not None


@pytest.mark.parametrize("options, key", [
    ("  unless: 5\n  topics: [{name: t, terms: [shambles]}]\n", "[options]"),  # a number where phrases belong
    ("  lists: 7\n  topics: [{name: t, terms: [shambles]}]\n", "[options.lists]"),  # the check's own message
])
def test_rule_options_of_the_wrong_shape_are_one_line_errors(tmp_path, options, key):
    from typer.testing import CliRunner

    from postcheck.cli import app

    pack = tmp_path / "pack"
    pack.mkdir()
    write(pack, "my-topic.yaml", "check: topics\ncategory: disparaging\nseverity: error\nclauses: ['4.3']\n"
          "message: m\nwhy: w\nfix: f\noptions:\n" + options)
    write(tmp_path, "postcheck.yaml", "rules:\n  packs: [pack]\n")
    draft = write(tmp_path, "d.md", "What a shambles.\n")
    result = CliRunner().invoke(app, ["check", "-c", str(tmp_path / "postcheck.yaml"), "--no-cache", str(draft)])
    assert result.exit_code == 2
    assert result.output.startswith(f"postcheck: error: {pack / 'my-topic.yaml'}: {key}")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert draft.read_text(encoding="utf-8") == "What a shambles.\n"


def test_config_errors_survive_the_trip_back_from_a_worker_process():
    import pickle

    error = ConfigError("rules/x.yaml", "bad", 3, "options")
    assert str(pickle.loads(pickle.dumps(error))) == str(error) == "rules/x.yaml:3: [options] bad"
