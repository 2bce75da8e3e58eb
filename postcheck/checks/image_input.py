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
        for ref in post.images:
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
