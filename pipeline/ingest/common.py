"""What every reader of the ingest stage shares: the error it raises and the
writer that builds ``doc.text`` while recording the spans of the markers it writes."""

from __future__ import annotations

from pipeline.model import Span


class InputError(ValueError):
    """The file cannot be read as a document; the message says why."""


class TextWriter:
    """Accumulates text and the spans of the markers written into it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.hints: list[Span] = []

    def write(self, piece: str, marker: bool = False) -> None:
        if marker:
            self.hints.append((self.length, self.length + len(piece)))
        self.parts.append(piece)
        self.length += len(piece)

    def blank(self) -> None:
        text = "".join(self.parts[-2:])
        if not text:
            return
        if text.endswith("\n\n"):
            return
        self.write("\n" if text.endswith("\n") else "\n\n")

    def newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.write("\n")

    def text(self) -> str:
        return "".join(self.parts).rstrip() + "\n"
