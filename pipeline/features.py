"""Rule stage: per-unit argument features from the lexicon, and a rules-only labelling.

Reads: ``doc.text``; ``doc.units`` (text, offsets, ``tokens`` with lemma/upos when the
nlp stage ran, ``language``); ``doc.citations`` (``unit`` = unit id, offsets);
``doc.sections`` (roles) and ``doc.paragraphs``.  Adds nothing to the document:
:func:`describe_units` returns one :class:`UnitView` (feature dict, lemma text, POS
text) per unit, and :func:`rule_decision` turns a feature dict into a label with
probabilities, attribution and evidence kind.  ``pipeline.units`` uses both: the
features feed the classifier, and the rules are its fallback and baseline.

Everything degrades gracefully: without Stanza tokens the unit is tokenised by a
regular expression, lemma = lower-cased word, and the POS patterns stay silent;
without sections the role comes from heading words found in the text.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from pipeline.lexicons import terms
from pipeline.markers import YEAR
from pipeline.model import Document, Token, Unit

LABELS = ("claim", "evidence", "none")
KINDS = ("statistic", "event", "example", "quotation", "other")
ROLES = ("abstract", "introduction", "body", "conclusion", "other")
# the thesis section roles of the structure stage, seen by the classifier as the role
# they belong with (the shipped model knows only ROLES; own features need retraining)
ROLE_FAMILIES = {
    "research_question": "introduction",
    "objectives": "introduction",
    "hypothesis": "introduction",
    "theory": "body",
    "method": "body",
    "results": "body",
    "suggestions": "conclusion",
}

# lexicon file -> feature stem; each gives "<stem>" (count) and "<stem>_start" (opens the unit)
PHRASE_LISTS = {
    "discourse_conclusion": "conclusion",
    "discourse_cause": "cause",
    "discourse_contrast": "contrast",
    "discourse_example": "example",
    "discourse_addition": "addition",
    "reporting_verbs": "reporting",
    "modality": "modality",
    "purpose_structure": "purpose",
    "definition_cues": "definition",
    "evaluative": "evaluative",
    "event_cues": "event",
    "authorial": "authorial",
    "major_cues": "major_cue",
    "activity_verbs": "activity",
    "past_aspect": "past",
    "interpretive": "interpretive",
    "legal_texts": "legal_text",
    "outline_cues": "outline",
    "procedure_cues": "procedure",
}

WORD_RE = re.compile(r"\w+(?:[-'’.,]\w+)*|[^\w\s]", re.UNICODE)
NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
YEAR_RE = re.compile(rf"(?<![\d.,])({YEAR})(?![\d])")
QUOTED_RE = re.compile(r"[“\"«]([^”\"»]{12,})[”\"»]")
BLANK_LINE_RE = re.compile(r"\n[ \t\u00a0]*\n")
WORD_RUN_RE = re.compile(r"\w+")
LEADING_JUNK_RE = re.compile(r"^[\W_]+", re.UNICODE)


def load_terms(name: str) -> tuple[str, ...]:
    """The units stage's word list ``pipeline/lexicon/units/<name>.txt`` (a path with a
    folder names another stage's list), lower-cased, in order."""
    return terms(name if "/" in name else f"units/{name}")


def _term_pattern(term: str) -> str:
    body = r"\s+".join(re.escape(part) for part in term.split())
    if term[0].isalnum():
        body = r"(?<!\w)" + body
    if term[-1].isalnum():
        body = body + r"(?!\w)"
    return body


@cache
def phrase_regex(name: str) -> re.Pattern[str]:
    terms = sorted(load_terms(name), key=len, reverse=True)
    return re.compile("|".join(_term_pattern(t) for t in terms), re.IGNORECASE)


@cache
def phrase_word_sets(name: str) -> dict[str, tuple[frozenset[str], ...]] | None:
    """The words of each term of a list, keyed by the term's first word; None when a
    term opens with a non-alphanumeric character (its first word is then not bounded).
    A term can only match a sentence holding every one of its words."""
    by_first: dict[str, list[frozenset[str]]] = {}
    for term in load_terms(name):
        words = WORD_RUN_RE.findall(term.lower())
        if not term[0].isalnum() or not words:
            return None
        by_first.setdefault(words[0], []).append(frozenset(words))
    return {first: tuple(sets) for first, sets in by_first.items()}


def may_match(name: str, words: set[str]) -> bool:
    """False when no term of list ``name`` can occur in a sentence made of ``words``
    (its lower-cased word runs): the list's regular expressions need not run."""
    word_sets = phrase_word_sets(name)
    if word_sets is None:
        return True
    return any(term_words <= words for first in words & word_sets.keys() for term_words in word_sets[first])


@cache
def opening_regex(name: str) -> re.Pattern[str]:
    terms = sorted(load_terms(name), key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(_term_pattern(t) for t in terms) + ")", re.IGNORECASE)


def regex_tokens(text: str, offset: int = 0) -> list[Token]:
    """Plain tokenisation for units the nlp stage has not annotated."""
    return [
        Token(text=m.group(), start=offset + m.start(), end=offset + m.end())
        for m in WORD_RE.finditer(text)
    ]


def unit_tokens(unit: Unit) -> list[Token]:
    """Stanza's words when the nlp stage ran, else a regex tokenisation of the text."""
    return unit.tokens or regex_tokens(unit.text, unit.start)


@lru_cache(maxsize=1)
def spacy_matchers() -> tuple:  # (Vocab, lexical Matcher, POS Matcher)
    from spacy.lang.id import Indonesian
    from spacy.matcher import Matcher
    from spacy.vocab import create_vocab

    # only the vocabulary is needed (Docs are built from Stanza's tokens): spacy.blank("id")
    # would also build a tokenizer with 16,000 special cases, seconds of every start-up
    vocab = create_vocab("id", Indonesian.Defaults)
    lexical = Matcher(vocab)
    tagged = Matcher(vocab)
    reporting = [t for t in load_terms("reporting_verbs") if " " not in t]
    modality = [t for t in load_terms("modality") if " " not in t]
    measures = [t for t in load_terms("statistic_cues") if " " not in t]
    lexical.add("year_phrase", [[{"LOWER": {"IN": ["tahun", "year", "in", "sejak"]}}, {"SHAPE": "dddd"}]])
    lexical.add("pronoun_subject", [[{"LOWER": {"IN": ["ini", "hal", "kondisi", "upaya", "hal-hal"]}},
                                     {"LOWER": {"IN": ["ini", "tersebut"]}}]])
    tagged.add("reported_name", [[{"POS": "PROPN", "OP": "+"}, {"LOWER": {"IN": reporting}}]],
               greedy="LONGEST")
    tagged.add("according_to_name", [[{"LOWER": "menurut"}, {"POS": {"IN": ["PROPN", "NOUN"]}}]])
    tagged.add("modal_verb", [[{"LOWER": {"IN": modality}}, {"POS": {"IN": ["VERB", "AUX"]}}]])
    tagged.add("number_measure", [[{"POS": "NUM"}, {"LOWER": {"IN": measures}}]])
    tagged.add("passive_verb", [[{"POS": "VERB", "LOWER": {"REGEX": "^di[a-z]{3,}"}}]])
    tagged.add(
        "copula_definition",
        [[{"POS": {"IN": ["NOUN", "PROPN"]}, "OP": "+"}, {"LOWER": {"IN": ["merupakan", "adalah"]}}]],
        greedy="LONGEST",
    )
    tagged.add("subject_name", [[{"IS_SENT_START": True, "POS": "PROPN"}]])
    # "Hadoop merupakan …" describes a named thing (evidence), "Konvolusi merupakan …" a concept
    tagged.add("named_definition", [[{"IS_SENT_START": True, "POS": "PROPN"}, {"POS": "PROPN", "OP": "*"},
                                     {"LOWER": {"IN": ["merupakan", "adalah", "ialah"]}}]])
    return vocab, lexical, tagged


def pattern_counts(tokens: list[Token]) -> dict[str, int]:
    """Lemma/POS patterns (spaCy Matcher) over a spaCy Doc built from the unit's tokens;
    the POS patterns run only when the tokens carry Stanza's UPOS tags."""
    from spacy.tokens import Doc

    kept = [t for t in tokens if t.text.strip()]
    if not kept:
        return {}
    vocab, lexical, tagged = spacy_matchers()
    spaces = [kept[i].end < kept[i + 1].start for i in range(len(kept) - 1)] + [False]
    has_pos = all(t.upos for t in kept)
    doc = Doc(
        vocab,
        words=[t.text for t in kept],
        spaces=spaces,
        pos=[t.upos for t in kept] if has_pos else None,
        lemmas=[t.lemma for t in kept] if all(t.lemma for t in kept) else None,
        sent_starts=[True] + [False] * (len(kept) - 1),
    )
    counts: dict[str, int] = {}
    for matcher in (lexical, tagged) if has_pos else (lexical,):
        for match_id, _, _ in matcher(doc):
            name = vocab.strings[match_id]
            counts[name] = counts.get(name, 0) + 1
    return counts


# ---------------------------------------------------------------- document context


def _heading_regex(role: str) -> re.Pattern[str]:
    terms = sorted(load_terms(f"structure/section_{role}"), key=len, reverse=True)
    alternatives = "|".join(_term_pattern(t) for t in terms)
    # a heading at a line start, optionally numbered ("BAB V", "5.1", "##", "**")
    return re.compile(
        r"(?im)^[ \t#*]*(?:bab\s+[ivx\d]+\.?\s*)?(?:[ivx\d]+(?:\.\d+)*\.?\s*)?(?:"
        + alternatives
        + r")\b[^\n]{0,60}?(?:\n|(?=\s+[A-Z]))"
    )


@lru_cache(maxsize=64)
def _fallback_role_marks(text: str) -> tuple[list[int], list[str]]:
    marks: list[tuple[int, str]] = []
    for role in ("abstract", "introduction", "conclusion", "references"):
        for match in _heading_regex(role).finditer(text):
            marks.append((match.start(), role))
    marks.sort()
    return [m[0] for m in marks], [m[1] for m in marks]


def section_role(doc: Document, unit: Unit) -> str:
    """The role family (one of ROLES) of the unit's section, or one guessed from heading
    words in the text."""
    return _norm_role(thesis_role(doc, unit))


def thesis_role(doc: Document, unit: Unit) -> str:
    """The structure stage's own role of the unit's section: a ROLES value or one of the
    thesis roles of ROLE_FAMILIES ("method", "results", "research_question"…)."""
    sections = doc.section_by_id()
    role = None
    if unit.section in sections:
        role = sections[unit.section].role
    else:
        for section in doc.sections:
            if section.start <= unit.start < section.end:
                role = section.role
                break
    if role is None:
        positions, roles = _fallback_role_marks(doc.text)
        index = bisect.bisect_right(positions, unit.start) - 1
        role = roles[index] if index >= 0 else "body"
    return role if role in ROLE_FAMILIES else _norm_role(role)


def _norm_role(role: str) -> str:
    role = ROLE_FAMILIES.get(role, role)
    return role if role in ROLES else ("body" if role in ("", "body") else "other")


@lru_cache(maxsize=64)
def _blank_lines(text: str) -> list[int]:
    return [m.start() for m in BLANK_LINE_RE.finditer(text)]


def paragraph_key(doc: Document, unit: Unit) -> str:
    """The unit's paragraph id, or the blank-line block it stands in."""
    if unit.paragraph:
        return unit.paragraph
    for paragraph in doc.paragraphs:
        if any(s <= unit.start < e for s, e in paragraph.spans()):
            return paragraph.id
    breaks = _blank_lines(doc.text)
    return f"block{bisect.bisect_right(breaks, unit.start)}"


def english_share(words: list[str]) -> float:
    function_words = set(load_terms("nlp/english_function_words"))
    alpha = [w.lower() for w in words if w.isalpha()]
    if not alpha:
        return 0.0
    return sum(w in function_words for w in alpha) / len(alpha)


def is_english(unit: Unit, words: list[str]) -> bool:
    return unit.language == "en" or english_share(words) >= 0.2


def masked_text(doc: Document, unit: Unit) -> str:
    """Unit text with its citation markers blanked (a footnote number is not a statistic)."""
    text = unit.text
    if unit.parts:
        return text
    chars = list(text)
    for citation in doc.citations:
        if citation.unit == unit.id and unit.start <= citation.start < citation.end <= unit.end:
            for i in range(citation.start - unit.start, citation.end - unit.start):
                chars[i] = " "
    return "".join(chars)


@dataclass
class UnitView:
    """What the classifier sees of one unit."""

    unit: Unit
    role: str
    paragraph: str
    thesis_role: str
    lemma_text: str
    pos_text: str
    english: bool
    features: dict[str, float] = field(default_factory=dict)
    vector: Any = None  # own and context sentence vectors (pipeline.sentence_vectors), when set


def view_groups(views: list[UnitView]) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """The positions of ``views`` by paragraph and by (sub)section (its role where a unit has
    no section), each list in document order."""
    by_paragraph: dict[str, list[int]] = {}
    by_section: dict[str, list[int]] = {}
    for index, view in enumerate(views):
        by_paragraph.setdefault(view.paragraph, []).append(index)
        by_section.setdefault(view.unit.section or view.role, []).append(index)
    return by_paragraph, by_section


def describe_units(doc: Document, units: list[Unit] | None = None) -> list[UnitView]:
    """One :class:`UnitView` per unit of ``doc`` (or of ``units``), features filled in."""
    units = doc.units if units is None else units
    citations_per_unit: dict[str, int] = {}
    for citation in doc.citations:
        if citation.unit:
            citations_per_unit[citation.unit] = citations_per_unit.get(citation.unit, 0) + 1
    views: list[UnitView] = []
    for unit in units:
        tokens = unit_tokens(unit)
        words = [t.text for t in tokens]
        lemmas = [(t.lemma or t.text).lower() for t in tokens if any(c.isalnum() for c in t.text)]
        views.append(
            UnitView(
                unit=unit,
                role=section_role(doc, unit),
                paragraph=paragraph_key(doc, unit),
                thesis_role=thesis_role(doc, unit),
                lemma_text=" ".join(lemmas),
                pos_text=" ".join(t.upos for t in tokens if t.upos),
                english=is_english(unit, words),
            )
        )
    by_paragraph, by_section = view_groups(views)
    place = {index: (k, len(members)) for members in by_paragraph.values()
             for k, index in enumerate(members)}
    section_place = {index: (k, len(members)) for members in by_section.values()
                     for k, index in enumerate(members)}
    total = max(len(views) - 1, 1)
    for index, view in enumerate(views):
        position, size = place[index]
        in_section, section_size = section_place[index]
        context = {
            "doc_position": index / total,
            "paragraph_position": position / max(size - 1, 1),
            "paragraph_first": float(position == 0),
            "paragraph_last": float(position == size - 1),
            "paragraph_single": float(size == 1),
            # where the sentence stands in its (sub)section: outlines open chapters,
            # verdicts close them
            "section_position": in_section / max(section_size - 1, 1),
            "section_first": float(in_section == 0),
            "section_last": float(in_section == section_size - 1),
            "citations": float(citations_per_unit.get(view.unit.id, 0)),
        }
        view.features = text_features(masked_text(doc, view.unit), unit_tokens(view.unit))
        view.features.update(context)
        view.features["has_citation"] = float(context["citations"] > 0)
        view.features[f"role={view.role}"] = 1.0
        if view.thesis_role != view.role:
            view.features[f"thesis_role={view.thesis_role}"] = 1.0
        view.features["english"] = float(view.english)
    return views


# ---------------------------------------------------------------- features of one sentence


def text_features(text: str, tokens: list[Token]) -> dict[str, float]:
    """Lexical, numeric and pattern features of one sentence."""
    features: dict[str, float] = {}
    stripped = LEADING_JUNK_RE.sub("", text.strip())
    lowered = text.lower()
    # a list with no term whose words are all in the sentence cannot match it (exact only
    # when lower-casing keeps every character one character, as it does in Indonesian)
    words = set(WORD_RUN_RE.findall(lowered)) if len(lowered) == len(text) else None

    def absent(name: str) -> bool:
        return words is not None and not may_match(name, words)

    for name, stem in PHRASE_LISTS.items():
        if absent(name):
            continue
        hits = len(phrase_regex(name).findall(text))
        if hits:
            features[stem] = float(hits)
        if opening_regex(name).match(stripped):
            features[f"{stem}_start"] = 1.0
    if _opens_with_named_report(stripped):
        features["named_report_start"] = 1.0
    numbers = NUMBER_RE.findall(text)
    years = YEAR_RE.findall(text)
    lowered = text.lower()
    months = phrase_regex("months")
    # a month before a year or after a day (not after a year: "Pada 1619 Jan Pieterszoon Coen")
    date_hits = 0 if absent("months") else sum(
        1 for m in months.finditer(text) if re.match(r"\.?\s*\d{4}", text[m.end():m.end() + 7])
        or re.search(r"(?<!\d)\d{1,2}\s*$", text[max(0, m.start() - 4):m.start()]))
    plain_numbers = len(numbers) - len(years)
    features["numbers"] = float(max(plain_numbers, 0))
    features["years"] = float(len(years))
    if date_hits:
        features["dates"] = float(date_hits)
    if re.search(r"\d\s*(%|persen\b|per\s*cent|percent)", lowered):
        features["percent"] = 1.0
    currency = phrase_regex("currency")
    if not absent("currency") and any(NUMBER_RE.search(text[max(0, m.start() - 12):m.end() + 16])
                                      for m in currency.finditer(text)):
        features["currency"] = 1.0
    measures = phrase_regex("statistic_cues")
    if not absent("statistic_cues") and any(NUMBER_RE.search(text[max(0, m.start() - 14):m.start()])
                                            for m in measures.finditer(text)):
        features["measure"] = 1.0
    quoted = sum(len(m.group(1)) for m in QUOTED_RE.finditer(text))
    if quoted:
        features["quoted_share"] = quoted / max(len(text), 1)
    quote_marks = len(re.findall(r"[“\"«‘'][^”\"»’']{3,}[”\"»’']", text))
    if quote_marks:
        features["quote_marks"] = float(min(quote_marks, 3))
    words = [t.text for t in tokens if any(c.isalnum() for c in t.text)]
    features["log_words"] = math.log1p(len(words))
    features["short"] = float(len(words) < 6)
    features["question"] = float(text.rstrip().rstrip("\"”’)*").endswith("?"))
    features["colon_end"] = float(text.rstrip().endswith(":"))
    capitalised = [w for w in words[1:] if w[:1].isupper()]
    features["capitalised_share"] = len(capitalised) / max(len(words) - 1, 1)
    acronyms = [w for w in words if len(w) >= 2 and w.isupper() and w.isalpha()]
    features["acronyms"] = float(min(len(acronyms), 5))
    _descriptive_features(text, features)
    if tokens and all(t.upos for t in tokens):
        upos = [t.upos for t in tokens]
        for tag in ("PROPN", "NUM", "VERB", "ADJ", "PRON", "AUX"):
            features[f"pos_share={tag}"] = upos.count(tag) / len(upos)
    for name, count in pattern_counts(tokens).items():
        features[f"pattern={name}"] = float(count)
    return features


NAME_RUN_RE = re.compile(r"(?<![\w.])[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|of|dan|and|the|untuk|for))*\s+[A-Z][\w’'-]+")
COPULA_DESCRIPTION_RE = re.compile(r"\b(?:merupakan|adalah|ialah)\s+(?:\w+\s+){1,6}?yang\s+(?:di|ber|ter)\w{3,}",
                                   re.IGNORECASE)
STANCE_STEMS = ("evaluative", "modality", "interpretive", "conclusion", "cause", "major_cue", "purpose")


def _descriptive_features(text: str, features: dict[str, float]) -> None:
    """Decision rule 1 and the "evidence, other" convention: a checkable, dated or named
    statement with no stance words (evaluation, modality, hedging, inference)."""
    stance = sum(features.get(stem, 0) for stem in STANCE_STEMS) + features.get("question", 0)
    happened = features.get("event", 0) + features.get("activity", 0) + features.get("past", 0)
    dated = features.get("years", 0) + features.get("dates", 0)
    names = len(NAME_RUN_RE.findall(text))
    if names:
        features["name_runs"] = float(min(names, 4))
    if not stance:
        features["no_stance"] = 1.0
        if happened or dated:
            features["plain_happening"] = 1.0
        if names or features.get("acronyms", 0):
            features["plain_named"] = 1.0
    if dated and happened:
        features["dated_happening"] = 1.0
    if COPULA_DESCRIPTION_RE.search(text) and not features.get("evaluative", 0):
        features["copula_description"] = 1.0


def _opens_with_named_report(text: str) -> bool:
    """ "Menurut Peter M. Haas …", "David Lewis mendefinisikan …": a named source's position."""
    words = text.split()[:7]
    if not words:
        return False
    if words[0].lower().strip(",") in ("menurut", "according"):
        return True
    reporting = {t for t in load_terms("reporting_verbs") if " " not in t}
    for i, word in enumerate(words[1:], 1):
        if word.lower().strip(",") in reporting:
            return all(w[:1].isupper() or w in ("dan", "&", "dkk.", "et", "al.") for w in words[:i])
    return False


# ---------------------------------------------------------------- rules-only decision


@dataclass
class RuleDecision:
    label: str
    probabilities: dict[str, float]
    attribution: str | None
    kind: str | None


def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: round(v / total, 4) for k, v in exp.items()}


def rule_scores(f: dict[str, float]) -> dict[str, float]:
    """Hand-weighted evidence for each label (the decision rules of ANNOTATION.md §2)."""
    get = f.get
    figures = (2.0 * get("percent", 0) + 1.6 * get("currency", 0) + 1.2 * get("measure", 0)
               + 0.6 * min(get("numbers", 0), 3))
    dated = 0.9 * min(get("years", 0), 2) + 0.8 * min(get("dates", 0), 1)
    eventful = 0.5 * min(get("event", 0), 2) * (1.0 if dated or get("capitalised_share", 0) > 0.15 else 0.4)
    evidence = (figures + dated + eventful + 2.0 * (get("quoted_share", 0) > 0.5)
                + 0.6 * get("example_start", 0) + 0.3 * (get("capitalised_share", 0) > 0.2))
    claim = (1.2 + 0.7 * min(get("modality", 0), 2) + 0.9 * get("conclusion", 0)
             + 0.5 * get("cause", 0) + 0.4 * min(get("evaluative", 0), 3) + 0.6 * get("contrast_start", 0)
             + 0.7 * get("reporting", 0) + 0.4 * get("definition", 0) + 0.5 * get("major_cue", 0))
    none = (2.6 * min(get("purpose", 0), 1) + 2.5 * get("question", 0) + 2.0 * get("short", 0)
            + 1.0 * get("colon_end", 0) + 0.8 * get("authorial", 0))
    if get("purpose", 0) and figures:
        none -= 1.5
    return {"claim": claim, "evidence": evidence, "none": none}


def rule_attribution(f: dict[str, float]) -> str:
    reported = (f.get("pattern=reported_name", 0) or f.get("pattern=according_to_name", 0)
                or f.get("reporting_start", 0) or f.get("named_report_start", 0)
                or (f.get("reporting", 0) and f.get("has_citation", 0))
                or (f.get("definition", 0) and f.get("has_citation", 0)))
    return "reported" if reported else "own"


def rule_kind(f: dict[str, float]) -> str:
    if f.get("quoted_share", 0) > 0.5:
        return "quotation"
    if f.get("percent", 0) or f.get("currency", 0) or f.get("measure", 0) or f.get("numbers", 0) >= 2:
        return "statistic"
    if f.get("example_start", 0):
        return "example"
    if f.get("years", 0) or f.get("dates", 0) or f.get("event", 0):
        return "event"
    return "other"


def rule_decision(features: dict[str, float]) -> RuleDecision:
    probabilities = _softmax(rule_scores(features))
    label = max(LABELS, key=lambda k: probabilities[k])
    return RuleDecision(
        label=label,
        probabilities=probabilities,
        attribution=rule_attribution(features) if label == "claim" else None,
        kind=rule_kind(features) if label == "evidence" else None,
    )
