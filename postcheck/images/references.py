"""Reference photos from the consent list, encoded once and cached by file content and model version."""
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
from postcheck.images.settings import FaceSettings


@dataclass(frozen=True, slots=True)
class Reference:
    """A learner whose photos are restricted, with the encodings of their usable reference photos."""

    id: str
    initials: str
    encodings: np.ndarray  # shape (n, 128); n == 0: the learner cannot be checked

    @property
    def checkable(self) -> bool:
        return len(self.encodings) > 0


@dataclass(frozen=True, slots=True)
class References:
    learners: tuple[Reference, ...]
    problems: tuple[str, ...]  # one line each, naming the learner id and photo (never the name)

    @property
    def unchecked(self) -> tuple[Reference, ...]:
        return tuple(r for r in self.learners if not r.checkable)


def load_references(entries: Iterable, settings: FaceSettings, base: Path | None = None) -> References:
    """Encode the reference photos of every learner whose parent/carer restricted photos."""
    learners: list[Reference] = []
    problems: list[str] = []
    version = None
    for entry in entries:
        if not entry.restricts_photos:
            continue
        usable: list[np.ndarray] = []
        if not entry.photos:
            problems.append(f"consent list: learner {entry.id} has no reference photo, so photos cannot be checked for them")
        for photo in entry.photos:
            shown = _shown(photo, base)
            try:
                if version is None:
                    from postcheck.images.faces import model_version

                    version = model_version(settings)
                found = photo_encodings(photo, settings, version)
            except ImageError as exc:
                problems.append(f"consent list: reference photo {shown} for learner {entry.id} cannot be read: {exc}")
                continue
            except OSError as exc:
                problems.append(f"consent list: reference photo {shown} for learner {entry.id} cannot be read: {exc.strerror or exc}")
                continue
            if len(found) == 0:
                problems.append(f"consent list: no face found in reference photo {shown} for learner {entry.id}; use a clear, front-facing photo")
            elif len(found) > 1:
                problems.append(f"consent list: {len(found)} faces in reference photo {shown} for learner {entry.id}; "
                                "crop it to the learner's face (it is not used)")
            else:
                usable.append(found[0])
        encodings = np.vstack(usable) if usable else np.empty((0, 128))
        learners.append(Reference(entry.id, entry.initials, encodings))
    return References(tuple(learners), tuple(problems))


def _shown(photo: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return str(photo.relative_to(base))
        except ValueError:
            pass
    return photo.name


def photo_encodings(photo: Path, settings: FaceSettings, version: str) -> np.ndarray:
    """Encodings of every face in a reference photo, from the cache when the same file was seen before."""
    content = safeio.read_bytes(photo, safeio.IMAGE_BYTES)  # a FIFO or loop: OSError, reported by the caller
    key = hashlib.sha256(hashlib.sha256(content).digest() + version.encode()).hexdigest()
    folder = cache_dir("faces") if settings.cache else None
    cached = folder / f"{key}.npy" if folder else None
    if cached is not None and cached.is_file():
        try:
            array = np.load(cached, allow_pickle=False)
            if array.ndim == 2 and array.shape[1] == 128:
                return array
        except (OSError, ValueError):
            pass  # a damaged cache file is recomputed and replaced
    from postcheck.images.faces import find_faces, working_scale

    image = load_image(photo, lambda w, h: working_scale(w, h, settings), max_frames=1)
    faces = find_faces(image, settings, encode=True)
    array = np.vstack([f.encoding for f in faces]) if faces else np.empty((0, 128))
    if cached is not None:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        write_private(cached, buffer.getvalue())
    return array
