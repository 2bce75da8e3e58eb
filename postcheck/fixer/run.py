"""Fixing posts: check each, plan its copies from the findings, write them (unless a dry run), check the copies."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from postcheck.config import Config
from postcheck.discovery import PostSpec, load
from postcheck.engine import Engine
from postcheck.fixer import findings as F
from postcheck.fixer import names as N
from postcheck.fixer.paths import FixPathError, Layout, is_cleaned, neutral_stem, write_copy
from postcheck.fixer.photos import PhotoResult, clean_photo, output_suffix
from postcheck.fixer.text import Draft, TextEdit, apply, link_edits, name_edits, relative_dest, unified_diff
from postcheck.images.loader import ImageError, LoadedImage
from postcheck.images.store import image_store
from postcheck.model import Finding, PostResult, Verdict
from postcheck.posts import Post, display_path
from postcheck.redact import known_names
from postcheck.rulepack import RulePack


@dataclass(frozen=True, slots=True)
class FixOptions:
    names: str = N.FIRST  # first | initials
    blur: str = "objectors"  # objectors | possible
    output_dir: Path | None = None
    dry_run: bool = False
    account_override: str | None = None
    roots: tuple[Path, ...] = ()  # the paths given: -o mirrors the folders below them


@dataclass
class PhotoChange:
    """One photo's clean copy."""

    source: str  # display path of the original
    path: Path
    copy: Path | None
    renamed: bool  # the original's file name held a learner's name
    faces: list[dict] = field(default_factory=list)  # {"frame", "box", "band"} for each face obscured
    result: PhotoResult | None = None
    data: bytes = b""
    error: str | None = None

    @property
    def copy_display(self) -> str | None:
        return display_path(self.copy) if self.copy else None


@dataclass
class PostFix:
    """What fixing one post did (or, in a dry run, would do)."""

    path: str
    kind: str  # draft | image
    before: PostResult
    copy: Path | None = None  # the draft's copy (None: the draft needed no change)
    edits: list[TextEdit] = field(default_factory=list)
    diff: str = ""
    photos: list[PhotoChange] = field(default_factory=list)
    by_hand: list[Finding] = field(default_factory=list)
    after: PostResult | None = None  # the check of the copies
    problem: str | None = None
    new_text: bytes | None = None

    @property
    def changed(self) -> bool:
        return bool(self.copy or any(p.copy for p in self.photos))

    @property
    def copy_display(self) -> str | None:
        """The draft's copy, or a lone photo's."""
        if self.copy is not None:
            return display_path(self.copy)
        if self.kind == "image" and self.photos and self.photos[0].copy is not None:
            return self.photos[0].copy_display
        return None


@dataclass
class FixReport:
    posts: list[PostFix]
    notices: tuple[str, ...] = ()
    dry_run: bool = False
    skipped: list[str] = field(default_factory=list)  # clean copies given as input: never fixed again
    known: tuple = ()  # roster and consent-list names (redact.known_names), masked wherever shown

    @property
    def verdict(self) -> Verdict:
        results = [p.after or p.before for p in self.posts]
        return max((r.verdict for r in results), key=lambda v: v.rank, default=Verdict.PASS)


def fix_posts(config: Config, pack: RulePack, specs: Iterable[PostSpec], options: FixOptions) -> FixReport:
    """Check, plan and (unless ``options.dry_run``) write clean copies, then check the copies."""
    specs = list(specs)
    layout = Layout(options.output_dir, options.roots or [s.path for s in specs])
    skipped = [display_path(s.path) for s in specs if is_cleaned(s.path) or layout.inside_output(s.path)]
    specs = [s for s in specs if not (is_cleaned(s.path) or layout.inside_output(s.path))]
    engine = Engine(config, pack)
    store = image_store(engine.ctx, config)
    people = N.People(config)
    fixes: list[PostFix] = []
    posts: list[Post] = []
    for spec in specs:
        post = load(spec, config.account, options.account_override)
        posts.append(post)
        fixes.append(_plan(post, spec.kind, engine.check_post(post), people, layout, options, store.decoded))
    report = FixReport(fixes, tuple(engine.ctx.notices), options.dry_run, skipped, known_names(config))
    if options.dry_run:
        return report
    protected = {p.resolve() for p in _protected(config, specs, posts)}
    written: dict[Path, bytes] = {}
    for fix in fixes:
        try:
            for photo in fix.photos:
                if photo.copy is not None and written.get(photo.copy) != photo.data:
                    write_copy(photo.copy, photo.data, protected)
                    written[photo.copy] = photo.data
            if fix.copy is not None and fix.new_text is not None:
                write_copy(fix.copy, fix.new_text, protected)
        except FixPathError as exc:
            fix.problem = str(exc)
    _prove(report, engine, config, specs, options)
    return report


def _protected(config: Config, specs: list[PostSpec], posts: list[Post]) -> list[Path]:
    """Files a copy must never replace: every input, the configuration and what it names."""
    paths = [s.path for s in specs] + [ref.path for post in posts for ref in post.images]
    paths += [p for p in (config.path, *config.source_files, *config.own_files()) if p is not None]
    return paths


def _plan(post: Post, kind: str, result: PostResult, people: N.People, layout: Layout, options: FixOptions,
          decoded: Callable[[Path], LoadedImage | None] = lambda path: None) -> PostFix:
    fix = PostFix(post.display, kind, result)
    wanted = [f for f in result.findings if F.needs_fixing(f)]
    names = [f for f in wanted if F.is_name(f)]
    faces = [f for f in wanted if F.face_band(f) == "match" or (options.blur == "possible" and F.face_band(f) == "possible")]
    fixable = {id(f) for f in names + faces} | {id(f) for f in wanted if F.is_metadata(f)}
    fix.by_hand = [f for f in wanted if id(f) not in fixable]

    draft = Draft.read(post.path) if kind == "draft" and not post.problems else None
    edits: list[TextEdit] = []
    in_file_names: set[str] = set()
    if kind == "draft" and names:
        if draft is None:
            fix.by_hand.extend(names)
        else:
            objections = [F.span(f) for f in names if F.is_name_objection(f)]

            def rewrite(written: str, finding: Finding) -> str | None:
                a, b = F.span(finding)  # type: ignore[misc]
                overlaps = any(s < b and a < e for s, e in objections) and not F.is_name_objection(finding)
                return N.replacement(written, finding, people, N.INITIALS if overlaps else options.names)

            edits, unfixed, in_file_names = name_edits(post, draft, names, rewrite)
            fix.by_hand.extend(unfixed)
    elif names:  # a lone photo: the only text is its file name
        in_file_names = {post.display}

    by_image: dict[str, list[Finding]] = {}
    for finding in faces:
        by_image.setdefault(finding.path, []).append(finding)
    copies: dict[Path, Path] = {}
    for ref in post.images:
        change = _photo(ref.path, ref.display, by_image.get(ref.display, []), ref.display in in_file_names, layout,
                        decoded(ref.path))
        fix.photos.append(change)
        if change.error:  # no copy: its faces and metadata stay to be dealt with by hand
            fix.by_hand.extend(f for f in wanted if f.path == ref.display and (F.is_metadata(f) or f in faces))
        if change.copy is not None:
            copies[ref.path.resolve()] = change.copy

    if draft is not None:
        draft_copy = layout.copy_of(post.path)
        edits += link_edits(post, draft, lambda target: relative_dest(copies[target], draft_copy) if target in copies else None)
        if edits:
            new = apply(draft.text, edits)
            data = draft.encode(new)
            if data is None:
                fix.by_hand.extend(names)
            else:
                fix.copy, fix.new_text, fix.edits = draft_copy, data, sorted(edits, key=lambda e: e.start)
                fix.diff = unified_diff(draft.text, new, post.display, display_path(draft_copy))
    fix.by_hand.sort(key=Finding.sort_key)
    return fix


def _photo(path: Path, display: str, faces: list[Finding], named: bool, layout: Layout,
           decoded: LoadedImage | None = None) -> PhotoChange:
    boxes: dict[int, list[tuple[int, int, int, int]]] = {}
    for finding in faces:
        boxes.setdefault(F.face_frame(finding), []).append(F.face_box(finding))  # type: ignore[arg-type]
    change = PhotoChange(display, path, None, named)
    try:
        data, result = clean_photo(path, boxes, decoded=decoded)
    except (ImageError, OSError, ValueError) as exc:
        change.error = f"cannot make a clean copy: {exc}"
        return change
    change.result, change.data = result, data
    for finding in faces:
        change.faces.append({"frame": F.face_frame(finding), "box": list(F.face_box(finding) or ()),
                             "band": F.face_band(finding)})
    original_bytes = b""
    try:
        original_bytes = path.read_bytes()
    except OSError:
        pass
    if result.removed or result.turned or result.regions or named or data != original_bytes:
        change.copy = layout.copy_of(path, neutral_stem(path) if named else None, output_suffix(path))
    return change


def _prove(report: FixReport, engine: Engine, config: Config, specs: list[PostSpec], options: FixOptions) -> None:
    """Check the copies (with the draft itself where it needed no change) exactly as `postcheck check` would."""
    store = image_store(engine.ctx, config)
    for fix, spec in zip(report.posts, specs):
        if fix.problem or not fix.changed:
            continue
        for photo in fix.photos:  # a copy with the very same pixels has the very same faces
            if photo.copy is not None and photo.result is not None and photo.result.lossless:
                store.same_pixels(photo.path, photo.copy)
            elif photo.copy is not None and photo.result is not None and photo.result.blocks_kept:
                # only the obscured faces' blocks changed: faces are found afresh around them (the
                # copy's pixels elsewhere are compared with the original's before anything is reused)
                store.patched(photo.path, photo.copy, [region[1:] for region in photo.result.regions])
        photo_copies = {p.path.resolve(): p.copy for p in fix.photos if p.copy is not None}
        if spec.kind == "image":
            proof = PostSpec(photo_copies.get(spec.path.resolve(), spec.path), "image")
        else:
            extra = tuple(photo_copies.get(p.resolve(), p) for p in spec.extra_images)
            proof = PostSpec(fix.copy or spec.path, "draft", extra)
        fix.after = engine.check_post(load(proof, config.account, options.account_override))
