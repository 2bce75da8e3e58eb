"""Which posts a run checks: command-line paths and folders turned into drafts and lone images."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from postcheck import safeio
from postcheck.posts import (
    ANY_FOLDER,
    DRAFT_SUFFIXES,
    IMAGE_SUFFIXES,
    Post,
    Problem,
    display_path,
    image_post,
    load_draft,
    read_draft_bytes,
)


@dataclass(frozen=True, slots=True)
class PostSpec:
    """A post to load: a draft with the command-line images given to it, or a lone image."""

    path: Path
    kind: str  # "draft" | "image" | "unsupported" | "unreadable" (a folder the walk could not list)
    extra_images: tuple[Path, ...] = ()
    reason: str = ""  # why an unreadable folder could not be read


# Documents people write drafts in, which postcheck does not read: said plainly, never skipped silently.
DOCUMENT_KINDS = {".docx": "Word", ".doc": "Word", ".docm": "Word", ".dotx": "Word", ".odt": "OpenDocument",
                  ".rtf": "RTF", ".pages": "Pages"}


def document_problem(path: Path) -> str | None:
    """What to say about a document file postcheck does not read (None for other files)."""
    kind = DOCUMENT_KINDS.get(path.suffix.lower())
    return f"{kind} files are not read: save as .txt or .md" if kind else None


def skipped_note(skipped: list[Path]) -> str:
    """The one line a folder run gives for the documents it skipped."""
    kinds = sorted({DOCUMENT_KINDS[p.suffix.lower()] for p in skipped})
    listed = ", ".join(display_path(p) for p in skipped[:10]) + (f" and {len(skipped) - 10} more" if len(skipped) > 10 else "")
    return (f"skipped {len(skipped)} {' and '.join(kinds)} file{'s' if len(skipped) != 1 else ''} "
            f"({' and '.join(kinds)} files are not read: save as .txt or .md): {listed}")


class InputPathError(Exception):
    """A command-line path that does not exist (usage error)."""


def discover(paths: Iterable[Path], skip: Iterable[Path] = (), documents: list[Path] | None = None) -> list[PostSpec]:
    """Turn command-line paths into posts, in a stable order.

    Folders are walked recursively (hidden folders skipped). Images given on the command line
    beside exactly one draft belong to it. Images that no draft claims become posts of their own.
    Files in ``skip`` (the consent list and its reference photos, the config's own files) are not
    posts when a folder walk meets them; named on the command line, they are checked.
    Documents (.docx ...) a folder walk meets are added to ``documents``, for the run to list.
    """
    skipped = {safeio.resolve(p) for p in skip}
    drafts: list[Path] = []
    images: list[Path] = []
    loose: list[Path] = []  # images named on the command line
    unsupported: list[Path] = []
    unreadable: list[OSError] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise InputPathError(f"{safeio.printable(str(path))}: no such file or folder")
        if path.is_dir():
            # a folder the walk cannot list is reported, never skipped: its posts were not checked
            for root, dirs, files in os.walk(path, onerror=lambda exc: unreadable.append(exc)):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    file = Path(root) / name
                    suffix = file.suffix.lower()
                    if skipped and safeio.resolve(file) in skipped:
                        continue
                    if suffix in DRAFT_SUFFIXES and not name.startswith("."):
                        drafts.append(file)
                    elif suffix in IMAGE_SUFFIXES:
                        images.append(file)
                    elif documents is not None and suffix in DOCUMENT_KINDS and not name.startswith((".", "~$")):
                        documents.append(file)  # ~$draft.docx: Word's lock file while it is open
        else:
            suffix = path.suffix.lower()
            if suffix in DRAFT_SUFFIXES:
                drafts.append(path)
            elif suffix in IMAGE_SUFFIXES:
                loose.append(path)
            else:
                unsupported.append(path)
    drafts = _unique(drafts)
    specs: list[PostSpec] = []
    given_to_draft = tuple(loose) if len(drafts) == 1 and loose else ()
    for draft in drafts:
        specs.append(PostSpec(draft, "draft", given_to_draft))
    if not given_to_draft:
        images.extend(loose)
    claimed = _claimed_images(drafts) if images else set()
    for image in _unique(images):
        if safeio.resolve(image) not in claimed:
            specs.append(PostSpec(image, "image"))
    specs.extend(PostSpec(p, "unsupported") for p in _unique(unsupported))
    specs.extend(PostSpec(Path(exc.filename), "unreadable", reason=exc.strerror or str(exc))
                 for exc in unreadable if exc.filename)
    return specs


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for path in paths:
        key = safeio.resolve(path)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def _claimed_images(drafts: list[Path]) -> set[Path]:
    """Images that some draft refers to (only drafts that can refer to one are loaded)."""
    claimed: set[Path] = set()
    for draft in drafts:
        try:
            raw = read_draft_bytes(draft)
        except OSError:
            continue
        if b"![" not in raw and b"images" not in raw and b"<img" not in raw.lower():
            continue
        post = load_draft(draft, image_roots=ANY_FOLDER)
        claimed.update(ref.path for ref in post.images)
    return claimed


def load(spec: PostSpec, default_account: str, account_override: str | None = None,
         image_roots: Iterable[Path] = ()) -> Post:
    """``image_roots``: folders besides the draft's own that its images may come from."""
    if spec.kind == "draft":
        return load_draft(spec.path, default_account, account_override, spec.extra_images, image_roots)
    if spec.kind == "image":
        return image_post(spec.path, account_override or default_account)
    post = Post(path=spec.path, display=display_path(spec.path), account=account_override or default_account)
    if spec.kind == "unreadable":
        post.problems = (Problem(f"cannot read folder: {spec.reason}; the posts in it were not checked", post.display),)
        return post
    suffixes = ", ".join(sorted(DRAFT_SUFFIXES | IMAGE_SUFFIXES))
    message = document_problem(spec.path) or f"unsupported file type (postcheck reads {suffixes})"
    post.problems = (Problem(message, post.display),)
    return post
