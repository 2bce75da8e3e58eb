"""Text read inside a post's photos becomes part of the post, so every text rule (full names above all) reads it."""
from __future__ import annotations

from typing import Any

from postcheck.model import Segment

FIELD = "image-text"


def add_image_text(post: Any, ctx: Any, config: Any) -> None:
    """Append each line read in each photo as a segment pointing at the photo and the line's box (once per post)."""
    if not post.images or any(segment.field == FIELD for segment in post.segments):
        return
    from postcheck.images.store import image_store
    from postcheck.images.video import is_video

    store = image_store(ctx, config)
    if not store.ocr.ocr:
        return
    text, segments = post.text, list(post.segments)
    for ref in post.images:
        if is_video(ref.path):
            continue  # clips: faces and metadata only
        for line in store.text(ref.path, ctx):
            start = len(text) + 2
            text = f"{text}\n\n{line.text}"
            segments.append(Segment(start, len(text), ref.display, None, None, FIELD, box=line.box))
    post.text, post.segments = text, tuple(segments)
