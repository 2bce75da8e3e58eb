"""Reference photos from the consent list and the photo roster, encoded once and cached by file content and model version."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from postcheck import safeio
from postcheck.images.cache import cache_dir, write_private
from postcheck.images.loader import ImageError, load_image
from postcheck.images.settings import FaceSettings, band_of_year


@dataclass(frozen=True, slots=True)
class Reference:
    """A person faces are compared with: a restricted learner (consent list) or a roster pupil.

    ``photos[i]`` and ``boxes[i]`` say where encoding ``i`` came from (for a reviewer's side-by-side).
    """

    id: str
    initials: str
    encodings: np.ndarray  # shape (n, 128); n == 0: the learner cannot be checked
    photos: tuple[Path, ...] = ()
    boxes: tuple[tuple[int, int, int, int], ...] = ()
    band: str | None = None  # child | teen | adult, from the consent list's year; None: unknown
    objector: bool = True

    @property
    def checkable(self) -> bool:
        return len(self.encodings) > 0


@dataclass(frozen=True, slots=True)
class References:
    learners: tuple[Reference, ...]  # restricted learners, in consent-list order
    problems: tuple[str, ...]  # one line each, naming the learner id and photo (never the name)
    roster: tuple[Reference, ...] = ()  # other pupils of the photo roster (not restricted)

    @property
    def unchecked(self) -> tuple[Reference, ...]:
        return tuple(r for r in self.learners if not r.checkable)


def load_references(entries: Iterable, settings: FaceSettings, base: Path | None = None,
                    roster_photos: Iterable[Path] = ()) -> References:
    """Encode the reference photos of every restricted learner, and the photo roster when there is one."""
    learners: list[Reference] = []
    problems: list[str] = []
    version = _version(settings)
    restricted = {}
    for entry in entries:
        if not entry.restricts_photos:
            continue
        if not entry.photos:
            problems.append(f"consent list: learner {entry.id} has no reference photo, so photos cannot be checked for them")
        found = [_one_face(photo, settings, version, f"reference photo {_shown(photo, base)} for learner {entry.id}", problems)
                 for photo in entry.photos]
        restricted[entry.id] = len(learners)
        learners.append(_reference(entry.id, entry.initials, [f for f in found if f is not None],
                                   band_of_year(getattr(entry, "year", None)), True))
    roster: list[Reference] = []
    unusable = 0
    for photo in roster_photos:
        pupil = photo.stem
        face = _one_face(photo, settings, version, "", None)
        if face is None:
            unusable += 1
            continue
        if pupil in restricted:  # the restricted learner's school photo: one more reference
            index = restricted[pupil]
            old = learners[index]
            learners[index] = _reference(old.id, old.initials, [*zip(old.encodings, old.photos, old.boxes), face],
                                         old.band, True)
        else:
            roster.append(_reference(pupil, "", [face], None, False))
    if unusable:
        problems.append(f"photo roster: {unusable} photo{'s' if unusable != 1 else ''} without exactly one readable face "
                        "(not used); those pupils are not told apart from objectors")
    for learner in learners:
        if len(learner.encodings) == 1:
            problems.append(f"consent list: learner {learner.id} has only one usable reference photo; "
                            "two or three (different years) make matching more reliable")
    return References(tuple(learners), tuple(problems), tuple(roster))


def _version(settings: FaceSettings) -> str:
    from postcheck.images.faces import model_version

    return model_version(settings)


def _reference(pupil: str, initials: str, faces: list, band: str | None, objector: bool) -> Reference:
    encodings = np.vstack([f[0] for f in faces]) if faces else np.empty((0, 128))
    return Reference(pupil, initials, encodings, tuple(f[1] for f in faces), tuple(f[2] for f in faces), band, objector)


def _one_face(photo: Path, settings: FaceSettings, version: str, what: str, problems: list[str] | None):
    """(encoding, photo, box) of the one face in a reference photo, or None (with the reason in ``problems``)."""
    try:
        encodings, boxes = photo_faces(photo, settings, version)
    except (ImageError, OSError) as exc:
        reason = f"{what} cannot be read: {exc.strerror or exc if isinstance(exc, OSError) else exc}"
    else:
        if len(encodings) == 1:
            return encodings[0], photo, tuple(int(v) for v in boxes[0])
        reason = (f"no face found in {what}; use a clear, front-facing photo" if len(encodings) == 0 else
                  f"{len(encodings)} faces in {what}; crop it to the learner's face (it is not used)")
    if problems is not None:
        problems.append(f"consent list: {reason}")
    return None


def _shown(photo: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(photo.relative_to(base))
        except ValueError:
            pass
    return photo.name


def photo_encodings(photo: Path, settings: FaceSettings, version: str) -> np.ndarray:
    """Encodings of every face in a reference photo (see ``photo_faces``)."""
    return photo_faces(photo, settings, version)[0]


def photo_faces(photo: Path, settings: FaceSettings, version: str) -> tuple[np.ndarray, np.ndarray]:
    """Encodings (n, 128) and boxes (n, 4: left, top, width, height) of every face in a reference
    photo, from the cache when the same file was seen before."""
    content = safeio.read_bytes(photo, safeio.IMAGE_BYTES)  # a FIFO or loop: OSError, reported by the caller
    key = hashlib.sha256(hashlib.sha256(content).digest() + version.encode() + b"|boxes").hexdigest()
    folder = cache_dir("faces") if settings.cache else None
    cached = folder / f"{key}.npy" if folder else None
    if cached is not None and cached.is_file():
        try:
            array = np.load(cached, allow_pickle=False)
            if array.ndim == 2 and array.shape[1] == 132:
                return array[:, :128], array[:, 128:]
        except (OSError, ValueError):
            pass  # a damaged cache file is recomputed and replaced
    from postcheck.images.faces import find_faces, working_scale

    image = load_image(photo, lambda w, h: working_scale(w, h, settings), max_frames=1)
    faces = find_faces(image, settings, encode=True)
    array = np.vstack([np.r_[f.encoding, f.box] for f in faces]) if faces else np.empty((0, 132))
    if cached is not None:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        write_private(cached, buffer.getvalue())
    return array[:, :128], array[:, 128:]
