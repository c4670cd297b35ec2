"""Reading .pdf files."""

from __future__ import annotations

import io
import itertools
import re
import statistics
from collections import Counter
from typing import Any

from pipeline.ingest.common import InputError, TextWriter
from pipeline.markers import superscript
from pipeline.model import Span


def read_pdf(data: bytes, warnings: list[str]) -> tuple[str, list[Span]]:
    if not data.lstrip().startswith(b"%PDF"):
        raise InputError("not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise InputError("truncated PDF (no end-of-file marker)")
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_lines(page) for page in pdf.pages]
    except Exception as error:
        raise InputError(f"corrupt PDF: {type(error).__name__}") from error
    if not any(lines for lines, _ in pages):
        raise InputError("PDF has no text layer (scanned image?)")
    sizes = Counter()
    for lines, _ in pages:
        for line in lines:
            sizes[round(line["size"], 1)] += len(line["words"])
    body_size = sizes.most_common(1)[0][0]
    writer = TextWriter()
    for index, (lines, height) in enumerate(pages):
        if index:
            writer.blank()
        _write_pdf_page(writer, lines, height, body_size)
    if not any(pages[i][0] for i in range(len(pages))):
        warnings.append("PDF pages without text")
    return writer.text(), writer.hints


def _page_lines(page: Any) -> tuple[list[dict[str, Any]], float]:
    """Words grouped into lines; each word keeps its size and baseline."""
    words = page.extract_words(extra_attrs=["size"], keep_blank_chars=False, use_text_flow=True,
                               split_at_punctuation=False)
    lines: list[dict[str, Any]] = []
    for word in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        height = word["bottom"] - word["top"]
        placed = False
        for line in lines:
            overlap = min(line["bottom"], word["bottom"]) - max(line["top"], word["top"])
            if overlap >= 0.3 * min(height, line["bottom"] - line["top"]):
                line["words"].append(word)
                line["top"] = min(line["top"], word["top"])
                line["bottom"] = max(line["bottom"], word["bottom"])
                placed = True
                break
        if not placed:
            lines.append({"top": word["top"], "bottom": word["bottom"], "words": [word]})
    for line in lines:
        line["words"].sort(key=lambda w: w["x0"])
        normal = [w for w in line["words"] if not _superscript_shaped(w, line)]
        line["size"] = statistics.median(w["size"] for w in (normal or line["words"]))
        line["baseline"] = max(w["bottom"] for w in (normal or line["words"]))
        line["x0"] = line["words"][0]["x0"]
    lines.sort(key=lambda line: line["top"])
    return lines, float(page.height)


def _superscript_shaped(word: dict[str, Any], line: dict[str, Any]) -> bool:
    sizes = [w["size"] for w in line["words"]]
    return bool(re.fullmatch(r"\d{1,3}", word["text"])) and word["size"] < 0.8 * max(sizes)


def _is_marker(word: dict[str, Any], line: dict[str, Any]) -> bool:
    return (
        bool(re.fullmatch(r"\d{1,3}", word["text"]))
        and word["size"] <= 0.8 * line["size"]
        and word["bottom"] < line["baseline"] - 0.15 * line["size"]
    )


def _write_pdf_page(writer: TextWriter, lines: list[dict[str, Any]], height: float, body_size: float) -> None:
    body: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for line in lines:
        text = " ".join(w["text"] for w in line["words"]).strip()
        if re.fullmatch(r"[-–—\s]*\d{1,4}[-–—\s]*", text) and (line["top"] < 0.12 * height or line["top"] > 0.85 * height):
            continue  # page number
        small = line["size"] <= 0.88 * body_size
        first = line["words"][0]["text"]
        if small and line["top"] > 0.5 * height and (notes or re.fullmatch(r"\d{1,3}", first)):
            notes.append(line)
        else:
            body.append(line)
    gaps = [b["top"] - a["top"] for a, b in itertools.pairwise(body) if b["top"] > a["top"]]
    spacing = statistics.median(gaps) if gaps else body_size * 1.2
    left = min((line["x0"] for line in body), default=0.0)
    right = max((line["words"][-1]["x1"] for line in body), default=0.0)
    previous: dict[str, Any] | None = None
    for line in body:
        if previous is not None:
            gap = line["top"] - previous["top"]
            indented = line["x0"] > left + 0.8 * body_size
            heading_change = abs(line["size"] - previous["size"]) > 0.5
            last_word = previous["words"][-1]
            ending = "".join(w["text"] for w in previous["words"][-2:])
            short_final = last_word["x1"] < right - 3 * body_size and re.search(r"[.!?:\"”]\d{0,3}$", ending)
            if gap > 1.45 * spacing or indented or heading_change or short_final:
                writer.blank()
            else:
                writer.newline()
        _write_words(writer, line)
        previous = line
    if notes:
        writer.blank()
        for index, line in enumerate(notes):
            first = line["words"][0]
            starts_note = bool(re.fullmatch(r"\d{1,3}", first["text"]))
            if index:
                if starts_note:
                    writer.blank()
                else:
                    writer.newline()
            if starts_note:
                writer.write(superscript(first["text"]))
                writer.write(" ")
                _write_words(writer, line, skip_first=True)
            else:
                _write_words(writer, line)
    writer.newline()


def _write_words(writer: TextWriter, line: dict[str, Any], skip_first: bool = False) -> None:
    words = line["words"][1:] if skip_first else line["words"]
    for index, word in enumerate(words):
        if _is_marker(word, line) and index:
            writer.write(superscript(word["text"]), marker=True)
            continue
        if index:
            writer.write(" ")
        writer.write(word["text"])
