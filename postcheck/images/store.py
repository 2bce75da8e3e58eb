"""One place per run where images are decoded and scanned, so the image checks share the work."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postcheck.images.loader import ImageError, LoadedImage, load_image
from postcheck.images.settings import FaceSettings, face_settings

STORE_KEY = "images.store"
DECODED_KEPT = 2  # decoded pixels are big: keep only the images of the post being checked
SCANS_KEPT = 512  # face scans are small (boxes and 128 floats per face)


@dataclass(frozen=True, slots=True)
class Scan:
    """The faces of one image, or why it could not be read."""

    faces: tuple = ()
    frames: int = 1  # frames analysed
    frame_count: int = 1
    unchecked_frames: int = 0
    error: str | None = None
    video: Any = None  # a video.VideoScan (faces with times) for a clip; None for photos


class ImageStore:
    """Decoded images and face scans for the current run (one per process: nothing is shared)."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.settings: FaceSettings = face_settings(config.section("faces"), config.path)
        consent = config.consent_list
        self.encode = bool(consent and any(entry.restricts_photos for entry in consent.learners))
        self._decoded: OrderedDict[tuple, LoadedImage | ImageError] = OrderedDict()
        self._scans: OrderedDict[tuple, Scan] = OrderedDict()
        self._references: Any = None
        self._gallery: Any = None
        from postcheck.images.media_settings import ocr_settings, video_settings

        self.video = video_settings(config.section("video") or None, config.path)
        self.ocr = ocr_settings(config.section("images") or None, config.path)
        self._texts: OrderedDict[tuple, list] = OrderedDict()
        self._patches: dict[tuple, tuple[tuple, list]] = {}  # copy's key -> (original's key, changed areas)
        self._proofs: dict[tuple, tuple[tuple, list] | None] = {}  # copy's key -> the patch, once proven

    @staticmethod
    def _key(path: Path) -> tuple:
        try:
            stat = path.stat()
        except OSError:
            return (str(path), None, None)
        return (str(path), stat.st_mtime_ns, stat.st_size)

    def image(self, path: Path) -> LoadedImage | ImageError:
        """The decoded image (at the size face detection needs), or the reason it cannot be read."""
        from postcheck.images.faces import working_scale

        key = self._key(path)
        if key not in self._decoded:
            try:
                loaded: LoadedImage | ImageError = load_image(
                    path, lambda w, h: working_scale(w, h, self.settings), self.settings.max_frames)
            except ImageError as exc:
                loaded = exc
            self._decoded[key] = loaded
            while len(self._decoded) > DECODED_KEPT:
                self._decoded.popitem(last=False)
        return self._decoded[key]

    def decoded(self, path: Path) -> LoadedImage | None:
        """The image as already decoded for this run, or None (never decodes)."""
        loaded = self._decoded.get(self._key(path))
        return loaded if isinstance(loaded, LoadedImage) else None

    def scan(self, path: Path) -> Scan:
        """The faces in an image (with encodings when the consent list restricts someone's photos)."""
        key = self._key(path)
        if key not in self._scans:
            from postcheck.images.video import is_video

            loaded = None if is_video(path) else self.image(path)
            if loaded is None:
                scan = self._scan_video(path)
            elif isinstance(loaded, ImageError):
                scan = Scan(error=str(loaded))
            elif (patched := self._patched_scan(key, loaded)) is not None:
                scan = patched
            else:
                from postcheck.images.faces import find_faces

                faces = find_faces(loaded, self.settings, self.encode)
                scan = Scan(tuple(faces), len(loaded.frames), loaded.frame_count, loaded.unchecked_frames)
            self._scans[key] = scan
            while len(self._scans) > SCANS_KEPT:
                self._scans.popitem(last=False)
        return self._scans[key]

    def same_pixels(self, original: Path, copy: Path) -> None:
        """``copy`` decodes to exactly ``original``'s pixels (postcheck fix's lossless copy): reuse its face scan."""
        scan = self._scans.get(self._key(original))
        if scan is not None:
            self._scans[self._key(copy)] = scan

    def patched(self, original: Path, copy: Path, areas: list[tuple[int, int, int, int]]) -> None:
        """``copy`` is ``original`` with only ``areas`` (x0, y0, x1, y1) changed (postcheck fix's obscured JPEG):
        its scan may find faces afresh around those areas only, once its decoded pixels prove the rest equal."""
        self._patches[self._key(copy)] = (self._key(original), list(areas))

    def _patched_scan(self, key: tuple, loaded: LoadedImage) -> Scan | None:
        """The copy's faces, found again only around its changed areas; None for a full scan."""
        original_key, _ = self._patches.get(key, (None, []))
        known = self._scans.get(original_key)
        if known is None or known.error or (proof := self._proof(key, loaded)) is None:
            return None
        from postcheck.images.faces import find_faces_near

        faces = find_faces_near(loaded, self.settings, self.encode, proof[1], list(known.faces))
        return Scan(tuple(faces), len(loaded.frames), loaded.frame_count, loaded.unchecked_frames)

    def _proof(self, key: tuple, loaded: LoadedImage) -> tuple[tuple, list] | None:
        """(original's key, changed areas) once the copy's decoded pixels are proven the original's outside
        those areas (compared once per copy); None for a copy not patched, or not proven."""
        if key not in self._proofs:
            original_key, areas = self._patches.get(key, (None, []))
            before = self._decoded.get(original_key) if original_key is not None else None
            if original_key is not None and before is None and self._key(Path(original_key[0])) == original_key:
                before = self.image(Path(original_key[0]))  # decoded again (several photos since): still cheaper
            proven = isinstance(before, LoadedImage) and _same_outside(before, loaded, areas)
            self._proofs[key] = (original_key, areas) if proven else None
        return self._proofs[key]

    def text(self, path: Path, ctx: Any) -> list:
        """Lines of printed text in a photo (ocr.TextLine); [] for none, or when the photo cannot be read."""
        key = self._key(path)
        if key not in self._texts:
            loaded = self.image(path)
            lines: list = []
            if not isinstance(loaded, ImageError):
                from postcheck.images.ocr import OcrUnavailable, read_text

                proof = self._proof(key, loaded) if key in self._patches else None
                known = self._texts.get(proof[0]) if proof is not None else None
                try:  # a proven copy: only around its changed areas is anything read again
                    lines = read_text(loaded, self.ocr, self.settings.thread_count,
                                      *((proof[1], known) if known is not None else ()))
                except OcrUnavailable as exc:
                    ctx.notice(str(exc))
            self._texts[key] = lines
            while len(self._texts) > SCANS_KEPT:
                self._texts.popitem(last=False)
        return self._texts[key]

    def _scan_video(self, path: Path) -> Scan:
        if not self.video.enabled:
            return Scan(error="video checking is turned off (video: false in postcheck.yaml)")
        from postcheck.images.video import scan_video

        try:
            found = scan_video(path, self.video, self.settings, self.encode)
        except ImageError as exc:
            return Scan(error=str(exc))
        samples = len(found.times)
        return Scan(tuple(f.face for f in found.faces), samples, samples, 0, None, found)

    def references(self) -> Any:
        """The consent list's restricted learners with their reference encodings (None: no list)."""
        if self._references is None and self.config.consent_list is not None:
            from postcheck.images.references import load_references

            consent = self.config.consent_list
            self._references = load_references(consent.learners, self.settings, consent.path.parent,
                                               self.config.photo_roster or ())
        return self._references

    def gallery(self) -> Any:
        """(Gallery, people): every usable restricted learner, then every other roster pupil."""
        if self._gallery is None:
            from postcheck.images.matching import DEFAULT_BAND, Gallery

            references = self.references()
            people = [r for r in (*references.learners, *references.roster) if r.checkable]
            gallery = Gallery.build([(r.encodings, r.objector, r.band or DEFAULT_BAND) for r in people])
            self._gallery = (gallery, tuple(people))
        return self._gallery


def _same_outside(before: LoadedImage, after: LoadedImage, areas: list[tuple[int, int, int, int]]) -> bool:
    """Both still images decode to the very same pixels everywhere but in ``areas`` (full-resolution px)."""
    from PIL import ImageChops

    if (before.size != after.size or len(before.frames) != 1 or len(after.frames) != 1
            or before.frames[0].size != after.frames[0].size or before.frames[0].mode != after.frames[0].mode):
        return False
    difference = ImageChops.difference(before.frames[0], after.frames[0])
    to_frame = difference.width / before.size[0]
    for x0, y0, x1, y1 in areas:  # a decoder at reduced size mixes each pixel with its neighbours: one more
        box = (max(0, int(x0 * to_frame) - 1), max(0, int(y0 * to_frame) - 1),
               min(difference.width, int(x1 * to_frame) + 2), min(difference.height, int(y1 * to_frame) + 2))
        difference.paste(0, box)
    return difference.getbbox(alpha_only=False) is None


def image_store(ctx: Any, config: Any) -> ImageStore:
    store = ctx.cache.get(STORE_KEY)
    if store is None:
        store = ctx.cache[STORE_KEY] = ImageStore(config)
    return store
