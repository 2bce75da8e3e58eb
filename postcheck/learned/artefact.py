"""The learned layer's file format: a JSON header (metadata, array table, payload hash) then raw arrays.

Written byte-for-byte the same from the same arrays (no timestamps, sorted keys), so the training script
rebuilds an identical file and the file's hash can serve as the model version.
"""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"PCLEARN1"
_DTYPES = frozenset({"float32", "float16", "int8", "uint8", "int32"})


class ArtefactError(ValueError):
    """The file is not a readable learned-layer artefact."""


def write(path: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    table = []
    chunks = []
    offset = 0
    for name in sorted(arrays):
        arr = np.ascontiguousarray(arrays[name])
        if arr.dtype.name not in _DTYPES:
            raise ValueError(f"{name}: unsupported dtype {arr.dtype}")
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        table.append({"name": name, "dtype": arr.dtype.name, "shape": list(arr.shape), "offset": offset})
        chunks.append(data)
        offset += len(data)
    payload = b"".join(chunks)
    header = {"arrays": table, "meta": meta, "sha256": hashlib.sha256(payload).hexdigest()}
    head = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    path.write_bytes(MAGIC + struct.pack("<I", len(head)) + head + payload)


def read(data: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if len(data) < len(MAGIC) + 4 or not data.startswith(MAGIC):
        raise ArtefactError("not a postcheck learned-model file")
    (head_len,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    try:
        header = json.loads(data[start : start + head_len].decode("ascii"))
        payload = memoryview(data)[start + head_len :]
        if hashlib.sha256(payload).hexdigest() != header["sha256"]:
            raise ArtefactError("checksum mismatch (file damaged or truncated)")
        arrays = {}
        for entry in header["arrays"]:
            dtype = np.dtype(entry["dtype"]).newbyteorder("<")
            if dtype.name not in _DTYPES:
                raise ArtefactError(f"unsupported dtype {entry['dtype']}")
            count = int(np.prod(entry["shape"], dtype=np.int64))
            arr = np.frombuffer(payload, dtype=dtype, count=count, offset=entry["offset"])
            arrays[entry["name"]] = arr.reshape(entry["shape"])
        return header["meta"], arrays
    except ArtefactError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ArtefactError(f"unreadable header or array table ({exc.__class__.__name__})") from exc
