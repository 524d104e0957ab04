"""A minimal PDF writer: objects, streams, the cross-reference table and the trailer.

Hand-written because the forms need full control over fonts, widgets and appearance
streams, which reportlab's AcroForm support does not give (its fields use only the 14
standard fonts, which have no Polish letters), and because the output is deterministic:
the same schema and values give the same bytes.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Name(str):
    """A PDF name (/Name); a plain str is written as a text string."""


@dataclass(frozen=True)
class Ref:
    num: int


@dataclass(frozen=True)
class Stream:
    data: bytes
    entries: Mapping[str, Any] = field(default_factory=dict)


_NAME_SAFE = set(range(0x21, 0x7F)) - set(b"#()<>[]{}/%")


def _name_bytes(name: str) -> bytes:
    return b"".join(bytes([c]) if c in _NAME_SAFE else b"#%02X" % c for c in name.encode())


def fnum(value: float) -> str:
    """A number as content streams and dictionaries write it: short, no exponent."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _num(value: float) -> bytes:
    return fnum(value).encode()


def _text_string(text: str) -> bytes:
    if all(32 <= ord(c) < 127 for c in text):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def serialize(obj: Any) -> bytes:
    scalar = _scalar(obj)
    if scalar is not None:
        return scalar
    if isinstance(obj, list | tuple):
        return b"[" + b" ".join(serialize(o) for o in obj) + b"]"
    if isinstance(obj, dict):
        return b"<<" + b"".join(b"/" + _name_bytes(k) + b" " + serialize(v)
                                for k, v in obj.items()) + b">>"
    if isinstance(obj, Stream):
        data = zlib.compress(obj.data, 9)
        head = serialize({**obj.entries, "Length": len(data), "Filter": Name("FlateDecode")})
        return head + b"\nstream\n" + data + b"\nendstream"
    raise TypeError(f"cannot write {type(obj).__name__} to PDF")


def _scalar(obj: Any) -> bytes | None:
    """A PDF object that holds no other (null, a boolean, name, reference, number, string);
    None for anything else."""
    if obj is None:
        return b"null"
    if obj is True:
        return b"true"
    if obj is False:
        return b"false"
    if isinstance(obj, Name):
        return b"/" + _name_bytes(obj)
    if isinstance(obj, Ref):
        return b"%d 0 R" % obj.num
    if isinstance(obj, int):
        return b"%d" % obj
    if isinstance(obj, float):
        return _num(obj)
    if isinstance(obj, str):
        return _text_string(obj)
    if isinstance(obj, bytes):
        return b"<" + obj.hex().upper().encode() + b">"
    return None


class Writer:
    def __init__(self) -> None:
        self._objects: list[Any] = []

    def reserve(self) -> Ref:
        self._objects.append(None)
        return Ref(len(self._objects))

    def put(self, ref: Ref, obj: Any) -> Ref:
        self._objects[ref.num - 1] = obj
        return ref

    def add(self, obj: Any) -> Ref:
        return self.put(self.reserve(), obj)

    def tobytes(self, root: Ref, info: Ref) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for num, obj in enumerate(self._objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % num + serialize(obj) + b"\nendobj\n"
        file_id = hashlib.sha256(bytes(out)).digest()[:16]  # deterministic: same form, same id
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        trailer = {"Size": len(offsets) + 1, "Root": root, "Info": info, "ID": [file_id, file_id]}
        out += b"trailer\n" + serialize(trailer) + b"\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)



def rgb(color: tuple[float, float, float]) -> str:
    return " ".join(fnum(c) for c in color)
