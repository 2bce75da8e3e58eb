"""Images that cannot be read completely: the post is never passed unseen (input-error)."""
from __future__ import annotations

from typing import Iterable

from postcheck.images.loader import ImageError
from postcheck.model import Hit, Severity


class ImageInput:
    """Decode every image of the post with the safe loader; report what it refuses."""

    needs_doc = False

    def __init__(self, rule, config) -> None:
        self.rule = rule
        self.config = config

    def run(self, post, ctx) -> Iterable[Hit]:
        if not post.images:
            return
        from postcheck.images.store import image_store

        store = image_store(ctx, self.config)
        from postcheck.images.video import is_video

        for ref in post.images:
            if is_video(ref.path):
                yield from _video_input(store, ref)
                continue
            loaded = store.image(ref.path)
            if isinstance(loaded, ImageError):
                yield Hit(match="unreadable", image=ref.display, message=f"Image could not be checked: {loaded}",
                          details={"reason": str(loaded)})
            elif loaded.unchecked_frames:
                checked = len(loaded.frames)
                yield Hit(match="frames", image=ref.display, severity=Severity.WARNING,
                          message=f"Only {checked} distinct frames of this animation were checked; "
                                  f"{loaded.unchecked_frames} more were not: check them by eye",
                          details={"frames_checked": checked, "frames_unchecked": loaded.unchecked_frames})


def _video_input(store, ref) -> Iterable[Hit]:
    """A clip is decoded whole (and its faces found) once; what stops that is an input error."""
    if not store.video.enabled:
        yield Hit(match="video off", image=ref.display, severity=Severity.WARNING,
                  message="Video not checked (video: false in postcheck.yaml): check it by eye",
                  details={"reason": "video checking is turned off"})
        return
    scan = store.scan(ref.path)
    if scan.error:
        yield Hit(match="unreadable", image=ref.display, message=f"Video could not be checked: {scan.error}",
                  details={"reason": scan.error})
