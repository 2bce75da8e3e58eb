"""Identifying metadata inside image files: GPS positions, people tags, owner names, device serials.

Values are never returned, only what kind of data is where: a tag may hold a child's name.
XMP is searched as text (no XML parser runs on untrusted files).
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

from postcheck.images.loader import ImageError, open_image, strict_pillow

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
GPS_POSITION_TAGS = (1, 2, 3, 4)  # latitude ref, latitude, longitude ref, longitude

# tag -> label; all are warnings ("other identifying metadata")
EXIF_PEOPLE = {0x013B: "EXIF Artist (photographer's name)", 0x9C9D: "EXIF XPAuthor (author's name)"}
EXIF_DETAIL = {
    0xA430: "EXIF CameraOwnerName (owner's name)",
    0xA431: "EXIF BodySerialNumber (camera serial number)",
    0xA435: "EXIF LensSerialNumber (lens serial number)",
}
XMP_GPS = re.compile(rb"exif:GPS(?:Latitude|Longitude)|Iptc4xmpExt:(?:LocationShown|LocationCreated)\b[^>]*?(?:GPS|Lat)",
                     re.I)
XMP_OTHER = (
    (re.compile(rb"mwg-rs:Regions|MP:RegionInfo|MPRI:PersonDisplayName|mwg-rs:Type=\"Face\"", re.I),
     "XMP face regions / people tags"),
    (re.compile(rb"Iptc4xmpExt:PersonInImage", re.I), "XMP PersonInImage (names of people shown)"),
    (re.compile(rb"<dc:creator\b|dc:creator=", re.I), "XMP dc:creator (author's name)"),
    (re.compile(rb"aux:OwnerName|exifEX:CameraOwnerName|xmpRights:Owner", re.I), "XMP owner name"),
    (re.compile(rb"aux:SerialNumber|exifEX:BodySerialNumber|aux:LensSerialNumber", re.I), "XMP device serial number"),
)
PNG_TEXT_PEOPLE = ("Author", "Artist", "Owner")


@dataclass(frozen=True, slots=True)
class MetadataItem:
    """One kind of identifying metadata found in an image."""

    kind: str  # "gps" (an error) or "identifying" (a warning)
    label: str  # where it is, e.g. "EXIF GPS"


def identifying_metadata(path: Path) -> list[MetadataItem]:
    """What identifying metadata an image carries (header only: pixels are not decoded)."""
    found: list[MetadataItem] = []
    with strict_pillow():
        image = open_image(path)
        try:
            with image:
                exif = image.getexif()
                gps = dict(exif.get_ifd(GPS_IFD)) if exif else {}  # IFDs are read from the open file
                details = dict(exif.get_ifd(EXIF_IFD)) if exif else {}
                xmp = _xmp(image)
                text_keys = [k for k in PNG_TEXT_PEOPLE if str(image.info.get(k) or "").strip()]
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error) as exc:
            raise ImageError(f"cannot read image metadata: {str(exc) or type(exc).__name__}") from None
    if any(gps.get(tag) not in (None, "", b"", ()) for tag in GPS_POSITION_TAGS):
        found.append(MetadataItem("gps", "EXIF GPS"))
    if xmp and XMP_GPS.search(xmp):
        found.append(MetadataItem("gps", "XMP GPS"))
    for tag, label in EXIF_PEOPLE.items():
        if _filled(exif.get(tag)):
            found.append(MetadataItem("identifying", label))
    for tag, label in EXIF_DETAIL.items():
        if _filled(details.get(tag)) or _filled(exif.get(tag)):
            found.append(MetadataItem("identifying", label))
    if xmp:
        found.extend(MetadataItem("identifying", label) for pattern, label in XMP_OTHER if pattern.search(xmp))
    found.extend(MetadataItem("identifying", f"PNG text {key} (a person's name)") for key in text_keys)
    return found


def _filled(value: object) -> bool:
    if isinstance(value, bytes):
        value = value.replace(b"\x00", b"").strip()
    elif isinstance(value, str):
        value = value.strip("\x00 ")
    return bool(value)


def _xmp(image) -> bytes:
    for key in ("xmp", "XML:com.adobe.xmp"):
        value = image.info.get(key)
        if value:
            return value.encode("utf-8", "replace") if isinstance(value, str) else bytes(value)
    for segment, content in getattr(image, "applist", []):  # JPEG APP1 XMP on older Pillow
        if segment == "APP1" and b"ns.adobe.com/xap" in content[:64]:
            return content
    return b""
