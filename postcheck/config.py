"""postcheck.yaml, the roster, the staff list and the consent list, as typed values."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postcheck import safeio, yamlio
from postcheck.images.settings import band_of_year
from postcheck.yamlio import SourceError

CONFIG_NAME = "postcheck.yaml"
ACCOUNTS = ("school", "personal")
OBJECTIONS = ("photos", "name", "all")

# Top-level keys postcheck.yaml understands; anything else is probably a typo.
KNOWN_KEYS = {
    "school", "website", "roster", "staff", "consent_list", "account", "rules",
    "nlp", "faces", "links", "contacts", "names", "image_folders", "per_path_ignores", "photo_roster",
    "images", "video", "model",
}
# Pictures a photo roster folder may hold (one per pupil, named by the pupil's id).
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".bmp", ".tif", ".tiff", ".gif"})


class ConfigError(SourceError):
    """A configuration problem: exit code 2, one line naming the file (and line or key)."""


@dataclass(frozen=True, slots=True)
class Learner:
    """One roster row."""

    first_name: str
    last_name: str
    preferred_name: str | None = None
    year: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    """A learner whose parent/carer objected to, or restricted, the use of their image or name."""

    id: str
    name: str
    objection: str  # photos | name | all
    photos: tuple[Path, ...] = ()
    line: int | None = None
    year: str | None = None  # year group (N, R, 1-13) or age band: chooses the face thresholds

    @property
    def initials(self) -> str:
        return ".".join(part[0].upper() for part in self.name.split() if part) + "."

    @property
    def restricts_photos(self) -> bool:
        return self.objection in ("photos", "all")

    @property
    def restricts_name(self) -> bool:
        return self.objection in ("name", "all")


@dataclass(frozen=True, slots=True)
class ConsentList:
    path: Path
    learners: tuple[ConsentEntry, ...]


@dataclass(frozen=True, slots=True)
class Config:
    """Typed configuration; ``None`` means "not configured"."""

    path: Path | None = None
    school: str | None = None
    website: str | None = None
    roster: tuple[Learner, ...] | None = None
    staff: tuple[str, ...] | None = None
    consent_list: ConsentList | None = None
    account: str = "school"
    rule_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    rule_packs: tuple[Path, ...] = ()
    sections: dict[str, Any] = field(default_factory=dict)  # nlp, faces, links, contacts, names
    source_files: tuple[Path, ...] = ()  # roster, staff and consent list files as configured
    photo_roster: tuple[Path, ...] | None = None  # one photo per pupil, named by id (sorted)
    image_folders: tuple[Path, ...] = ()  # folders outside a draft's own that its images may come from

    def image_roots(self) -> tuple[Path, ...]:
        """Where a draft's images may be read from besides its own folder: this file's folder and
        the ``image_folders`` it lists."""
        return (*((self.path.parent.resolve(),) if self.path else ()), *self.image_folders)

    def own_files(self) -> list[Path]:
        """Files that belong to the configuration, never posts: staff list, reference photos."""
        files = [p for p in (self.path, *self.source_files) if p is not None]
        if self.consent_list is not None:
            files.extend(photo for learner in self.consent_list.learners for photo in learner.photos)
        files.extend(self.photo_roster or ())
        return files

    def section(self, name: str) -> dict[str, Any]:
        value = self.sections.get(name)
        return value if isinstance(value, dict) else {}


def find_config(start: Path | None = None) -> Path | None:
    """postcheck.yaml in ``start`` or the nearest folder above it."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None) -> Config:
    """Load a config file (or return the defaults when there is none)."""
    if path is None:
        return Config()
    if not path.is_file():
        raise ConfigError(path, "config file not found")
    try:
        data = yamlio.load(path)
    except SourceError as exc:
        raise ConfigError(exc.path, exc.message, exc.line, exc.key) from None
    if data is None:
        return Config(path=path)
    if not isinstance(data, dict):
        raise ConfigError(path, "expected a mapping of settings", 1)
    base = path.parent

    for key in data:
        if key not in KNOWN_KEYS:
            known = ", ".join(sorted(KNOWN_KEYS))
            raise ConfigError(path, f"unknown setting {key!r} (known: {known})", yamlio.line_of(data, key), str(key))

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise ConfigError(path, f"{key} must be text", yamlio.line_of(data, key), key)
        return value

    def file_setting(key: str) -> Path | None:
        value = text(key)
        if value is None:
            return None
        target = safeio.resolve(base / value)
        if not target.is_file():
            raise ConfigError(path, f"{key}: file not found: {value}", yamlio.line_of(data, key), key)
        return target

    account = text("account") or "school"
    if account not in ACCOUNTS:
        raise ConfigError(path, f"account must be one of {', '.join(ACCOUNTS)}", yamlio.line_of(data, "account"), "account")

    roster_path = file_setting("roster")
    staff_path = file_setting("staff")
    consent_path = file_setting("consent_list")
    photo_roster = _photo_roster(path, text("photo_roster"), yamlio.line_of(data, "photo_roster"))

    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise ConfigError(path, "rules must be a mapping", yamlio.line_of(data, "rules"), "rules")
    overrides, packs = _rule_settings(rules, path)

    folders = data.get("image_folders") or []
    if isinstance(folders, str):
        folders = [folders]
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise ConfigError(path, "image_folders must be a list of folders", yamlio.line_of(data, "image_folders"),
                          "image_folders")
    image_folders = tuple((base / f).resolve() for f in folders)

    sections = {}
    for key in ("nlp", "faces", "links", "contacts", "names", "per_path_ignores", "images"):
        value = data.get(key)
        if value is not None and not isinstance(value, dict):
            raise ConfigError(path, f"{key} must be a mapping", yamlio.line_of(data, key), key)
        if value is not None:
            sections[key] = value
    if data.get("model") is not None:
        from postcheck.checks.learned import model_settings

        if not isinstance(data["model"], dict):
            raise ConfigError(path, "model must be a mapping (enabled, thresholds)", yamlio.line_of(data, "model"), "model")
        model_settings(data["model"], path)  # bad thresholds fail here, as one line, not mid-run
        sections["model"] = data["model"]
    if "faces" in sections:
        from postcheck.images.settings import face_settings

        face_settings(sections["faces"], path)  # bad values fail here, as one line, not mid-run
    if "images" in sections or "video" in data:
        from postcheck.images.media_settings import ocr_settings, video_settings

        ocr_settings(sections.get("images"), path)
        if data.get("video") is not None and not isinstance(data["video"], (bool, dict)):
            raise ConfigError(path, "video must be true, false or a mapping (max_seconds, max_megabytes, max_side)",
                              yamlio.line_of(data, "video"), "video")
        video_settings(data.get("video"), path)
        if data.get("video") is not None:
            sections["video"] = data["video"] if isinstance(data["video"], dict) else {"enabled": data["video"]}

    try:
        roster = load_roster(roster_path) if roster_path else None
        staff = load_staff(staff_path) if staff_path else None
        consent_list = load_consent_list(consent_path) if consent_path else None
    except ConfigError:
        raise
    except SourceError as exc:  # YAML staff or consent list: unreadable, not UTF-8, invalid, too big
        raise ConfigError(exc.path, exc.message, exc.line, exc.key) from None
    return Config(
        path=path,
        school=text("school"),
        website=text("website"),
        roster=roster,
        staff=staff,
        consent_list=consent_list,
        account=account,
        rule_overrides=overrides,
        rule_packs=packs,
        sections=sections,
        source_files=tuple(p for p in (roster_path, staff_path, consent_path) if p is not None),
        image_folders=image_folders,
        photo_roster=photo_roster,
    )


def _photo_roster(path: Path, value: str | None, line: int | None) -> tuple[Path, ...] | None:
    """The photo roster folder's pictures, sorted; one per pupil, the file name (without suffix) their id."""
    if value is None:
        return None
    folder = (path.parent / value).resolve()
    if not folder.is_dir():
        raise ConfigError(path, f"photo_roster: folder not found: {value}", line, "photo_roster")
    photos = tuple(sorted(p for p in folder.iterdir()
                          if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES and not p.name.startswith(".")))
    if not photos:
        raise ConfigError(path, f"photo_roster: no photos in {value} (one per pupil, named by admission number)",
                          line, "photo_roster")
    return photos


def _rule_settings(rules: dict, path: Path) -> tuple[dict[str, dict[str, Any]], tuple[Path, ...]]:
    overrides: dict[str, dict[str, Any]] = yamlio.LineDict()  # remembers each rule's line, for errors
    packs: list[Path] = []
    for key, value in rules.items():
        line = yamlio.line_of(rules, key)
        if key != "packs" and line is not None:
            overrides.lines[str(key)] = line  # type: ignore[attr-defined]
        if key == "packs":
            if not isinstance(value, list):
                raise ConfigError(path, "rules.packs must be a list of folders", line, "rules.packs")
            for item in value:
                folder = safeio.resolve(path.parent / str(item))
                if not folder.is_dir():
                    raise ConfigError(path, f"rules.packs: folder not found: {item}", line, "rules.packs")
                packs.append(folder)
            continue
        if value is False or value == "off":
            overrides[str(key)] = {"enabled": False}
            continue
        if not isinstance(value, dict):
            raise ConfigError(path, f"rules.{key} must be a mapping (enabled, severity) or false", line, f"rules.{key}")
        unknown = set(value) - {"enabled", "severity"}
        if unknown:
            raise ConfigError(path, f"rules.{key}: unknown option {sorted(unknown)[0]!r} (known: enabled, severity)", line, f"rules.{key}")
        severity = value.get("severity")
        if severity is not None and severity not in ("error", "warning", "info"):
            raise ConfigError(path, f"rules.{key}.severity must be error, warning or info", line, f"rules.{key}.severity")
        overrides[str(key)] = dict(value)
    return overrides, tuple(packs)


def _read_text(path: Path) -> str:
    try:
        raw = safeio.read_bytes(path, safeio.CONFIG_BYTES)
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        if len(raw) >= 4 and raw.count(b"\x00") * 3 > len(raw):  # UTF-16 without a mark: every other byte is 0
            try:
                return raw.decode("utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be")
            except UnicodeDecodeError:
                raise ConfigError(path, "looks like UTF-16 text without a byte-order mark; save it as UTF-8") from None
        raise ConfigError(path, "binary file, not text; save it as UTF-8 text")
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return raw.decode("utf-16")  # Excel's "Unicode text"
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ConfigError(path, "cannot decode UTF-16 text; save it as UTF-8") from None
        try:
            return raw.decode("cp1252")  # Excel and older MIS exports
        except UnicodeDecodeError as exc:
            raise ConfigError(path, f"cannot decode text (byte {exc.start}); save it as UTF-8") from None


_FIRST = ("first_name", "forename", "first name", "firstname", "legal forename", "given name")
_LAST = ("last_name", "surname", "last name", "lastname", "legal surname", "family name")
_PREFERRED = ("preferred_name", "preferred forename", "preferred name", "known as")
_YEAR = ("year", "year group", "nc year")


def load_roster(path: Path) -> tuple[Learner, ...]:
    """Learners from a CSV with first_name,last_name columns (MIS exports: other columns ignored).

    Commas, semicolons (Excel in many locales), tabs or bars between columns are all read.
    """
    text = _read_text(path)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(_rows(reader, path))
    except StopIteration:
        raise ConfigError(path, "roster is empty: expected a header with first_name,last_name", 1) from None
    names = [h.strip().lower() for h in header]

    def column(options: tuple[str, ...]) -> int | None:
        return next((names.index(o) for o in options if o in names), None)

    first, last = column(_FIRST), column(_LAST)
    if first is None or last is None:
        found = ", ".join(repr(h.strip()) for h in header[:6] if h.strip()) or "nothing"
        raise ConfigError(path, f"roster needs first_name and last_name columns (its first line has {found}; "
                          "columns separated by commas, semicolons or tabs)", 1)
    preferred, year = column(_PREFERRED), column(_YEAR)
    learners = []
    for row in _rows(reader, path):
        if not any(cell.strip() for cell in row):
            continue
        lineno = reader.line_num
        if len(row) <= max(first, last):
            raise ConfigError(path, f"row has {len(row)} columns, expected at least {max(first, last) + 1}", lineno)
        first_name, last_name = row[first].strip(), row[last].strip()
        if not any(ch.isalpha() for ch in first_name + last_name):
            continue  # "." or "-" in both: a separator row of an export, not a learner
        if not any(ch.isalpha() for ch in first_name) or not any(ch.isalpha() for ch in last_name):
            raise ConfigError(path, "row is missing a first or last name", lineno)
        learners.append(Learner(
            first_name=first_name,
            last_name=last_name,
            preferred_name=(row[preferred].strip() or None) if preferred is not None and preferred < len(row) else None,
            year=(row[year].strip() or None) if year is not None and year < len(row) else None,
        ))
    return tuple(learners)


def _rows(reader, path: Path):
    """CSV rows; a malformed row (a field over csv's size limit, a stray NUL) is one ConfigError."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ConfigError(path, f"not a readable CSV row ({exc})", reader.line_num or None) from None
        yield row


def _delimiter(text: str) -> str:
    """The column separator of a roster: the one that makes its header name the name columns, else
    what csv.Sniffer makes of its first lines, else a comma."""
    first_line = next(iter(text.splitlines()), "")
    for delimiter in ",;\t|":
        names = [h.strip().lower() for h in next(csv.reader([first_line], delimiter=delimiter), [])]
        if any(o in names for o in _FIRST) and any(o in names for o in _LAST):
            return delimiter
    try:
        return csv.Sniffer().sniff("\n".join(text.splitlines()[:20]), delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def load_staff(path: Path) -> tuple[str, ...]:
    """Staff full names: one per line (``#`` comments allowed) or a YAML list."""
    if path.suffix.lower() in (".yaml", ".yml"):
        data = yamlio.load(path)
        if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
            raise ConfigError(path, "staff list must be a YAML list of names", 1)
        return tuple(x.strip() for x in data if x.strip())
    lines = _read_text(path).splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def load_consent_list(path: Path) -> ConsentList:
    """The objection list (policy 7.2); photo paths are relative to the file."""
    data = yamlio.load(path)
    if data is None:
        return ConsentList(path, ())
    if not isinstance(data, dict) or not isinstance(data.get("learners", []), list):
        raise ConfigError(path, "expected 'learners:' with a list of entries", 1, "learners")
    entries: list[ConsentEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(data.get("learners") or []):
        line = getattr(item, "line", None)
        key = f"learners[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(path, "each learner must be a mapping with id, name, objection", line, key)
        for required in ("id", "name"):
            if not item.get(required) or not isinstance(item.get(required), (str, int)):
                raise ConfigError(path, f"missing {required}", line, f"{key}.{required}")
        learner_id = str(item["id"])
        if learner_id in seen:
            raise ConfigError(path, f"duplicate id {learner_id}", line, f"{key}.id")
        seen.add(learner_id)
        objection = item.get("objection", "photos")
        if objection not in OBJECTIONS:
            raise ConfigError(path, f"objection must be one of {', '.join(OBJECTIONS)}",
                              yamlio.line_of(item, "objection"), f"{key}.objection")
        photos = item.get("photos") or []
        if isinstance(photos, str):
            photos = [photos]
        if not isinstance(photos, list):
            raise ConfigError(path, "photos must be a list of files", yamlio.line_of(item, "photos"), f"{key}.photos")
        resolved = []
        for photo in photos:
            target = safeio.resolve(path.parent / str(photo))
            if not target.is_file():
                raise ConfigError(path, f"reference photo not found: {photo}", yamlio.line_of(item, "photos"), f"{key}.photos")
            resolved.append(target)
        year = item.get("year")
        try:
            band_of_year(year)
        except ValueError as exc:
            raise ConfigError(path, str(exc), yamlio.line_of(item, "year"), f"{key}.year") from None
        entries.append(ConsentEntry(learner_id, str(item["name"]).strip(), objection, tuple(resolved), line,
                                    None if year is None else str(year)))
    return ConsentList(path, tuple(entries))
