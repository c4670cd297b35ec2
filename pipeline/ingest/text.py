"""Reading .txt and .md files: the decoded file is the document text."""

from __future__ import annotations

from pipeline.ingest.common import InputError


def decode_text(data: bytes, warnings: list[str]) -> str:
    """The text of a .txt/.md file: UTF-8, else cp1252, else latin-1 (noted in ``warnings``)."""
    if b"\x00" in data[:4096] or data[:4] in (b"%PDF", b"PK\x03\x04"):
        raise InputError("binary content, not a text file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            warnings.append("not valid UTF-8: decoded as cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            warnings.append("not valid UTF-8: decoded as latin-1")
    controls = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(text[:20000]) // 50):
        raise InputError("binary content, not a text file")
    return text
