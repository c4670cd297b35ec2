"""Parsing notes and bibliography entries into fields (authors, title, place, publisher, year, pages, url…)."""

from __future__ import annotations

import re
from typing import Any

from pipeline.citations.text import (
    ACCESSED,
    IBID,
    LEAD_IN,
    LOCCIT,
    OPCIT,
    PAGES,
    PLACE_ONLY,
    PLACE_PUBLISHER,
    URL,
    YEAR,
    plain_text,
)


def parse_note(text: str) -> tuple[str, dict[str, Any]]:
    """(reference kind, fields) of one footnote text."""
    plain = plain_text(text)
    fields: dict[str, Any] = {}
    body = LEAD_IN.sub("", plain)
    kind = "full"
    keyword = None
    for name, pattern in (("ibid", IBID), ("opcit", OPCIT), ("loccit", LOCCIT)):
        match = pattern.search(body)
        if match and match.start() <= 80:
            kind, keyword = name, match
            break
    pages = list(PAGES.finditer(plain))
    if pages:
        fields["pages"] = re.sub(r"\s+", "", pages[-1].group(1))
    if keyword is not None:
        # "Nye, Soft Power, op.cit." names the author first and may add a short title
        author, _, title = body[: keyword.start()].strip(" ,.;:").partition(",")
        author, title = author.strip(" ,.;:"), title.strip(" ,.;:")
        if author:
            fields["author"] = author
            fields["authors"] = _split_names(author)
        if title:
            fields["title"] = title
        return kind, fields
    _common_fields(plain, fields)
    title = _title(text, plain)
    author = _author_before(body, title)
    if author:
        fields["author"] = author
        fields["authors"] = _split_names(author)
    if not title and author and body.startswith(author):
        rest = body[len(author):].lstrip(" ,.")
        title = re.split(r"\s\(|,|\.\s", rest, maxsplit=1)[0].strip(" .")
    if title:
        fields["title"] = title
    if "pages" not in fields:
        trailing = re.search(r"\)\s*(\d{1,4}(?:[-–]\d{1,4})?)\.?\s*$", plain)
        if trailing:
            fields["pages"] = trailing.group(1)
    return kind, fields


def parse_source(text: str) -> dict[str, Any]:
    """Fields of one bibliography entry."""
    text = re.sub(r"^\s*[-•*▪]\s+", "", text)
    plain = plain_text(text)
    fields: dict[str, Any] = {}
    number = re.match(r"^\[(\d{1,3})\]\s*|^(\d{1,3})[.)]\s+", plain)
    if number:
        fields["number"] = int(number.group(1) or number.group(2))
        plain = plain[number.end():]
        text = re.sub(r"^\s*(?:\[\d{1,3}\]|\d{1,3}[.)])\s*", "", text)
    _common_fields(plain, fields)
    cut = len(plain)
    year = _year_outside_urls(plain)
    if year:
        cut = min(cut, year.start())
    for mark in ("“", '"', "‘"):
        if mark in plain:
            cut = min(cut, plain.index(mark))
    emphasis = re.search(r"(?<![\w*])[*_]", text)
    if emphasis:
        before = plain_text(text[: emphasis.start()])
        cut = min(cut, len(before))
    author = plain[:cut].strip(" ,.;:(")
    if len(author.split()) > 10:
        author = re.split(r"(?<=\w{3})\.\s", author)[0]
    if author:
        fields["author"] = author
        fields["authors"] = _split_names(author, surname_first=True)
    title = _title(text, plain)
    if not title and year:
        rest = plain[year.end():].strip(" .,)")
        title = re.split(r"\.\s", rest)[0].strip() if rest else ""
    if title:
        fields["title"] = title
    return fields


def _common_fields(plain: str, fields: dict[str, Any]) -> None:
    url = URL.search(plain)
    if url:
        fields["url"] = url.group().rstrip(".,;>")
    accessed = ACCESSED.search(plain)
    if accessed:
        fields["accessed"] = accessed.group(1)
    place = PLACE_PUBLISHER.search(plain)
    if place:
        fields["place"], fields["publisher"] = place.group(1).strip(" ,"), place.group(2).strip(" ,")
        fields["year"] = place.group(3)
    else:
        place_only = PLACE_ONLY.search(URL.sub(" ", plain))
        if place_only and not re.search(r"\b(?:tersedia|available|diakses)\b", place_only.group(1), re.IGNORECASE):
            fields["place"] = place_only.group(1).strip(" ,")
            fields["publisher"] = place_only.group(2).strip(" ,")
    if "year" not in fields:
        year = _year_outside_urls(plain)
        if year:
            fields["year"] = year.group()


def _year_outside_urls(plain: str) -> re.Match[str] | None:
    blocked = [m.span() for m in URL.finditer(plain)] + [m.span() for m in ACCESSED.finditer(plain)]
    for match in re.finditer(rf"\b{YEAR}(?=[a-z]?\b)", plain):  # "2004a" is the year 2004
        if not any(s <= match.start() < e for s, e in blocked):
            return match
    return None


def _title(raw: str, plain: str) -> str:
    """The first emphasised or quoted stretch: a quoted article title comes before
    the emphasised journal name that follows it."""
    emphasised = re.search(r"(?<![\w*])[*_]{1,2}([^*_]{3,}?)[*_]{1,2}(?![\w*])", raw)
    quoted = re.search(r"[“\"‘]([^”\"’]{3,})[”\"’“]", plain)
    if quoted and (not emphasised or plain.index(quoted.group()) < plain.find(plain_text(emphasised.group(1)))):
        return quoted.group(1).strip(" .,")
    return emphasised.group(1).strip(" .,") if emphasised else ""


def _author_before(body: str, title: str) -> str:
    if title and title in body:
        head = body[: body.index(title)]
    else:
        head = re.split(r",|\s\(", body, maxsplit=1)[0]
    head = re.split(r"\b(?:lihat|see|cf\.?|dalam)\s+(?:misalnya,?\s+)?", head, flags=re.IGNORECASE)[-1]
    head = re.sub(rf"\(?\b{YEAR}\b\)?", "", head).strip(" ,.;:“\"")
    if not head or len(head.split()) > 8 or not head[:1].isupper():
        first = re.split(r"(?<=[a-z]{3})\.\s|,", body, maxsplit=1)[0].strip(" ,.;:")
        head = first if first and len(first.split()) <= 8 and first[:1].isupper() else ""
    return head


def _split_names(author: str, surname_first: bool = False) -> list[str]:
    if surname_first and re.match(r"^[^,]+,\s*[A-Z][\w.\s]*$", author) and " dan " not in author:
        surname, given = author.split(",", 1)
        return [f"{given.strip(' .')} {surname.strip()}".strip()]
    parts = re.split(r"\s*(?:;|&|\bdan\b|\band\b)\s*", author)
    return [p.strip(" ,.") for p in parts if p.strip(" ,.")]


