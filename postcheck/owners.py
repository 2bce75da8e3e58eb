"""Files from a pre-commit hook: an image passed alone is checked through the draft that uses it."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from postcheck import safeio
from postcheck.discovery import PostSpec, discover
from postcheck.posts import ANY_FOLDER, DRAFT_SUFFIXES, IMAGE_SUFFIXES, load_draft, read_draft_bytes


def owner_draft(image: Path) -> Path | None:
    """The draft beside the image (same folder or the one above) that refers to it, if any.

    Cheap: only drafts whose text mentions the image's file name are loaded.
    """
    target = safeio.resolve(image)
    near = image.parent
    above = near.parent if near.name not in ("", ".", "..") else near / ".."
    for folder in dict.fromkeys((near, above)):
        try:
            candidates = sorted(p for p in folder.iterdir() if p.suffix.lower() in DRAFT_SUFFIXES and p.is_file()
                                and not p.name.startswith("."))
        except OSError:
            continue
        for draft in candidates:
            try:
                if target.name.encode("utf-8", "surrogateescape") not in read_draft_bytes(draft):
                    continue
            except OSError:
                continue
            if any(ref.path == target for ref in load_draft(draft, image_roots=ANY_FOLDER).images):
                return draft
    return None


def specs_for_files(paths: Iterable[Path]) -> list[PostSpec]:
    """Like posts.discover, but each file stands for itself and images find their drafts.

    pre-commit passes only the files that changed: a draft brings its own images, an image
    brings the draft that uses it, and an image no draft uses is checked alone.
    """
    specs: list[PostSpec] = []
    seen: set[Path] = set()

    def add(spec: PostSpec) -> None:
        key = safeio.resolve(spec.path)
        if key not in seen:
            seen.add(key)
            specs.append(spec)

    images: list[Path] = []
    for path in paths:
        suffix = path.suffix.lower()
        if path.is_dir() or not path.exists():
            for spec in discover([path]):
                add(spec)
        elif suffix in DRAFT_SUFFIXES:
            add(PostSpec(path, "draft"))
        elif suffix in IMAGE_SUFFIXES:
            images.append(path)
        else:
            add(PostSpec(path, "unsupported"))
    claimed = {ref.path for spec in specs if spec.kind == "draft"
               for ref in load_draft(spec.path, image_roots=ANY_FOLDER).images}
    for image in images:
        if safeio.resolve(image) in claimed:
            continue
        draft = owner_draft(image)
        add(PostSpec(draft, "draft") if draft is not None else PostSpec(image, "image"))
    return specs
