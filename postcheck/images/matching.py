"""Deciding whose face a face is: identification among every known learner, age-aware thresholds, margins.

dlib's face model was trained on adults: two different children are often as close as two photos
of the same adult. A face is therefore judged against everyone postcheck knows (the consent list's
restricted learners and, when configured, the photo roster of every pupil), and an objector is
flagged only when they are the nearest by a margin. The thresholds depend on the learner's age
band and were chosen with ``benchmarks/face_matching.py`` (see the table there and in the README).
Pure numpy: no model is loaded here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from postcheck.images.settings import AGE_BANDS, DEFAULT_BAND, band_of_year  # noqa: F401 - re-exported


@dataclass(frozen=True, slots=True)
class Thresholds:
    """One age band's operating point (Euclidean distances between 128-d encodings)."""

    match: float  # nearest objector at or below this, ahead of everyone else by ``margin``: error
    possible: float  # up to this, and not clearly someone else: "possible match" (warning)


# Chosen on the shared calibration encodings (benchmarks/face_matching.py, 30-learner lists):
# the error threshold keeps false errors near 1% of clean faces; the review band buys recall.
DEFAULT_THRESHOLDS = {
    "child": Thresholds(match=0.40, possible=0.54),
    "teen": Thresholds(match=0.50, possible=0.60),
    "adult": Thresholds(match=0.54, possible=0.59),
}
MATCH_MARGIN = 0.05  # an error needs every other known face at least this much further away
REVIEW_MARGIN = 0.06  # an objector this close behind someone else is still worth a look


@dataclass(frozen=True, slots=True)
class Policy:
    """How distances become decisions: thresholds per age band and the two margins."""

    thresholds: dict[str, Thresholds]
    match_margin: float = MATCH_MARGIN
    review_margin: float = REVIEW_MARGIN

    @classmethod
    def default(cls) -> "Policy":
        return cls(dict(DEFAULT_THRESHOLDS))


@dataclass(frozen=True, slots=True)
class Gallery:
    """Everyone a face is compared with: one row per reference encoding, grouped by person.

    ``owner[i]`` is the person of row i (rows of one person are contiguous); ``objector[p]`` says
    whether person p's photos are restricted; ``band[p]`` is their age band.
    """

    encodings: np.ndarray  # (rows, 128)
    owner: np.ndarray  # (rows,) int, non-decreasing
    objector: np.ndarray  # (people,) bool
    band: tuple[str, ...]  # (people,)

    @classmethod
    def build(cls, people: list[tuple[np.ndarray, bool, str]]) -> "Gallery":
        """From (encodings (n, 128), objector, band) per person; people without encodings are skipped by the caller."""
        rows = [np.asarray(e, dtype=np.float64).reshape(-1, 128) for e, _, _ in people]
        owner = np.concatenate([np.full(len(r), i) for i, r in enumerate(rows)]) if rows else np.empty(0, int)
        return cls(np.vstack(rows) if rows else np.empty((0, 128)), owner.astype(int),
                   np.array([o for _, o, _ in people], dtype=bool), tuple(b for _, _, b in people))

    @property
    def size(self) -> int:
        return len(self.objector)


@dataclass(frozen=True, slots=True)
class Decision:
    """What one face is: ``band`` match (error), possible (warning) or none."""

    band: str
    person: int  # the nearest objector (index into the gallery), -1 when there is none
    reference: int  # the row of that objector's nearest reference encoding
    distance: float
    margin: float  # distance of the nearest other known person minus ``distance`` (inf: nobody else)
    close: int  # other objectors within their own "possible" distance


def person_distances(gallery: Gallery, encodings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(faces, people) nearest-reference distances, and the (faces, rows) distances to every reference."""
    faces = np.asarray(encodings, dtype=np.float64).reshape(-1, 128)
    if gallery.size == 0 or len(faces) == 0:
        return np.full((len(faces), gallery.size), np.inf), np.full((len(faces), len(gallery.owner)), np.inf)
    # |a-b|^2 = |a|^2 + |b|^2 - 2ab: one matrix product for every face against every reference
    squared = (np.sum(faces ** 2, axis=1)[:, None] + np.sum(gallery.encodings ** 2, axis=1)[None, :]
               - 2.0 * faces @ gallery.encodings.T)
    rows = np.sqrt(np.maximum(squared, 0.0))
    starts = np.flatnonzero(np.r_[True, gallery.owner[1:] != gallery.owner[:-1]])
    return np.minimum.reduceat(rows, starts, axis=1), rows


def decide(gallery: Gallery, encodings: np.ndarray, policy: Policy) -> list[Decision]:
    """One decision per face; the same inputs always give the same decisions."""
    distances, rows = person_distances(gallery, encodings)
    return decide_distances(distances, rows, gallery, policy)


def band_arrays(gallery: Gallery, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    match = np.array([policy.thresholds.get(b, policy.thresholds[DEFAULT_BAND]).match for b in gallery.band])
    possible = np.array([policy.thresholds.get(b, policy.thresholds[DEFAULT_BAND]).possible for b in gallery.band])
    return match, possible


def decide_distances(distances: np.ndarray, rows: np.ndarray, gallery: Gallery, policy: Policy) -> list[Decision]:
    """Decisions from (faces, people) distances (see ``person_distances``)."""
    objectors = np.flatnonzero(gallery.objector)
    if len(objectors) == 0 or len(distances) == 0:
        return [Decision("none", -1, -1, float("inf"), float("inf"), 0) for _ in range(len(distances))]
    match_at, possible_at = band_arrays(gallery, policy)
    out = []
    for face, row in enumerate(distances):
        # ties go to the lowest index, so the order of the consent list decides them, not chance
        person = int(objectors[np.argmin(row[objectors])])
        distance = float(row[person])
        others = np.delete(row, person)
        margin = float(others.min() - distance) if len(others) else float("inf")
        if distance <= match_at[person] and margin >= policy.match_margin:
            band = "match"
        elif distance <= possible_at[person] and margin >= -policy.review_margin:
            band = "possible"
        else:
            band = "none"
        near = row[objectors] <= possible_at[objectors]
        close = int(np.count_nonzero(near)) - (1 if near[np.searchsorted(objectors, person)] else 0)
        own = np.flatnonzero(gallery.owner == person)
        out.append(Decision(band, person, int(own[np.argmin(rows[face, own])]), distance, margin, close))
    return out

