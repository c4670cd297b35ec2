"""Patterns and text helpers the citation modules share: years, Ibid./op.cit., pages, URLs, name matching."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

from pipeline.lexicons import lexicon
from pipeline.markers import YEAR

EMPHASIS = re.compile(r"(?<![\w*])[*_]{1,3}|[*_]{1,3}(?![\w*])")
# "Ibid.", "ibid", "Ibidem", "Idem"; "op. cit.", "Op.Cit", "Opcit", "op-cit"; "loc. cit.", "Loc.Cit"
IBID = re.compile(r"\b(?:ibid(?:em)?|idem)\b\.?", re.IGNORECASE)
OPCIT = re.compile(r"\bop[.\s\-]*cit\b\.?", re.IGNORECASE)
LOCCIT = re.compile(r"\bloc[.\s\-]*cit\b\.?", re.IGNORECASE)
LEAD_IN = re.compile(
    r"^(?:(?:lihat|see|cf|bandingkan|bdk|dikutip|sebagaimana dikutip|dalam|in)\b\.?(?:\s+(?:juga|also|dari|dalam|"
    r"dengan))?[,:]?\s+)+(?:(?:misalnya|for example|e\.g\.)[,:]?\s+)?",
    re.IGNORECASE,
)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\]\)\"”]+", re.IGNORECASE)
ACCESSED = re.compile(
    r"(?:diakses|accessed|diunduh|retrieved|akses)(?:\s+(?:pada|tanggal|tgl\.?|on))?\s*[:,]?\s*"
    r"(\d{1,2}\s+[A-Za-z]+\.?\s+\d{4}|[A-Za-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}[/-]\d{1,2}[/-]\d{2,4})",
    re.IGNORECASE,
)
PAGES = re.compile(
    r"\b(?:hal|hlm|halaman|h|pp?|page|pages)\.?\s*:?\s*(\d+(?:\s*[-–]\s*\d+)?)", re.IGNORECASE
)
PLACE_PUBLISHER = re.compile(rf"\(\s*([^():]{{2,50}}?)\s*:\s*([^()]*?)[,\s]\s*({YEAR})[a-z]?\s*\)")
PLACE_ONLY = re.compile(
    rf"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+){{0,2}})\s*:\s*([A-Z][^.,:\[\]()]{{1,80}}?)(?:[.,]|\s*$|\s+\(?{YEAR})"
)
TEX_MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^$\n]{1,400}?\$", re.DOTALL)
NAME_STOPWORDS = {"dan", "and", "the", "et", "al", "dkk", "eds", "ed", "editor", "editors", "penyunting", "of", "for"}


# ---------------------------------------------------------------- text helpers

def plain_text(text: str) -> str:
    return re.sub(r"\s+", " ", EMPHASIS.sub("", text)).strip()


def _fold(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def name_tokens(names: str | list[str]) -> list[str]:
    """Lower-case name words (initials and joiners dropped), for order-free matching."""
    text = " ".join(names) if isinstance(names, list) else names
    tokens = re.findall(r"[a-z][a-z']+", _fold(text).replace("-", " "))
    tokens = [t.strip("'") for t in tokens]
    return [t for t in tokens if t not in NAME_STOPWORDS and len(t) > 1]


@lru_cache(maxsize=65536)
def _similar(a: str, b: str, threshold: float = 0.8) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 3 or a[0] != b[0] and a[-1] != b[-1]:
        return False
    return SequenceMatcher(None, a, b).ratio() >= threshold


def fraction_found(needles: list[str], haystack: list[str], threshold: float = 0.8) -> float:
    """Share of ``needles`` found in ``haystack``, tolerating small typos ("Bennet" ~ "Bennett")."""
    if not needles:
        return 0.0
    exact = set(haystack)
    found = sum(1 for n in needles if n in exact or any(_similar(n, h, threshold) for h in exact))
    return found / len(needles)


def _abbreviates(short: str, words: list[str]) -> bool:
    """Whether ``short`` is formed from the starts of two or more consecutive
    ``words``: "bssn" ← badan siber sandi negara, "kemlu" ← kementerian luar,
    "kemenkes" ← kementerian kesehatan, "ri" ← republik indonesia."""
    if not 2 <= len(short) <= 10:
        return False

    def rest(position: int, index: int, used: int) -> bool:
        if position == len(short):
            return used >= 2
        if index >= len(words):
            return False
        word = words[index]
        for size in range(min(len(word), len(short) - position), 0, -1):
            if word[:size] == short[position : position + size] and rest(position + size, index + 1, used + 1):
                return True
        return False

    return any(words[i][:1] == short[:1] and rest(0, i, 0) for i in range(len(words)))


def name_fraction(wanted: list[str], names: list[str]) -> float:
    """Share of the wanted name words found among ``names``, tolerating typos and
    acronyms in either direction ("Kemlu RI" ~ "Kementerian Luar Negeri Republik
    Indonesia", "Badan Siber dan Sandi Negara" ~ "BSSN")."""
    if not wanted:
        return 0.0
    found = 0
    for index, word in enumerate(wanted):
        if fraction_found([word], names) or _abbreviates(word, names) or any(
            _abbreviates(name, wanted[start:])
            for name in names for start in range(max(0, index - 5), index + 1) if name[:1] == wanted[start][:1]
        ):
            found += 1
    return found / len(wanted)


@lru_cache(maxsize=16384)
def _content_words_cached(text: str) -> tuple[str, ...]:
    stop = lexicon("citations/citation_non_names")
    return tuple(w for w in re.findall(r"[a-z][a-z\-]{3,}", _fold(text)) if w not in stop)


def content_words(text: str) -> list[str]:
    return list(_content_words_cached(text))


