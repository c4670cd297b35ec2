"""Stage 'nlp': sentences, tokens, lemmas and tags from Stanza.

Reads ``doc.text``, ``doc.paragraphs`` (each paragraph's ``spans()``) and
``doc.marker_hints``.  Adds ``doc.units``: one :class:`~pipeline.model.Unit`
per sentence, with its tokens (text, offsets, lemma, UPOS, XPOS, feats and,
when depparse runs, head and deprel), its section and paragraph ids, ``parts``
when the sentence crosses a cut in its paragraph, and ``language`` ("en" for
English sentences such as an English abstract).

When the structure stage has found no paragraphs, every blank-line separated
block of the text is taken as a paragraph (and written to ``doc.paragraphs``,
with a warning), so the stage also works on its own.

What Stanza sees is each paragraph's pieces joined by one space, with footnote
markers ("1991.¹", "korban²", "^12", the ingest's ``marker_hints``) replaced by
spaces of the same length, so every offset maps straight back to
``doc.text``.  After Stanza: sentence breaks after abbreviations from
``lexicon/nlp/abbreviations.txt`` ("hal.", "dkk.", "et al.", "Ibid.", "No.") and
initials ("Peter M. Haas") are undone, and pieces of an abbreviation, a
number ("73,4", "70.000"), a URL or an e-mail address are joined into one
token.

Models: the project's own Stanza models in ``models/stanza/id`` (trained by
``make models``), loaded once per process with ``download_method=None``.
Settings (arguments of :class:`NLPConfig`, or environment variables):

* ``ARGMAP_NLP_PROCESSORS`` -- default ``tokenize,mwt,pos,lemma``; add
  ``depparse`` for heads and relations.  Processors whose model is missing are
  left out (tokenize is the one that must exist).
* ``ARGMAP_STANZA_MODELS`` -- a folder of models in the shipped layout.
* ``ARGMAP_STANZA_RESOURCES`` -- a local ``stanza_resources`` folder with
  Stanza's official Indonesian models, used instead of ours.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.lexicons import lexicon, pairs
from pipeline.model import Document, Paragraph, Span, Token, Unit
from pipeline.models import STANZA_SUBDIR, ModelsMissing, default_models_dir

DEFAULT_PROCESSORS = ("tokenize", "mwt", "pos", "lemma")
ALL_PROCESSORS = ("tokenize", "mwt", "pos", "lemma", "depparse")
PACKAGE = "argmap"

SUPERSCRIPT_MARKER = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
# ... except squares and cubes of units of length ("km²", "m³")
UNIT_POWER = re.compile(r"(?:^|[^\w])[kcdm]?m$")
CARET_MARKER = re.compile(r"\^\{?\d{1,3}\}?")
URL_OR_EMAIL = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"“”'‘’()\[\]{}]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)
TRAILING_URL_PUNCT = ".,;:!?"
NUMBER = re.compile(r"\d+(?:[.,]\d+)+")
INITIAL = re.compile(r"[A-Z]\.")
OPENERS = "\"'“‘([{"
CLOSERS = "”’)]}.,;:"

log = logging.getLogger(__name__)


class NLPModelsMissing(ModelsMissing):
    """No usable Stanza models were found (message: one line naming the file)."""


@dataclass(frozen=True)
class NLPConfig:
    processors: tuple[str, ...] = DEFAULT_PROCESSORS
    model_dir: Path = field(default_factory=lambda: default_models_dir() / STANZA_SUBDIR)
    resources_dir: Path | None = None

    @classmethod
    def from_config(cls, config: Config) -> NLPConfig:
        return cls(processors=parse_processors(config.nlp_processors), model_dir=config.stanza_models,
                   resources_dir=config.stanza_resources)


def parse_processors(spec: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    names = [n.strip().lower() for n in names if n.strip()]
    unknown = [n for n in names if n not in ALL_PROCESSORS]
    if unknown:
        raise ValueError(f"unknown Stanza processor(s): {', '.join(unknown)}")
    return tuple(p for p in ALL_PROCESSORS if p in names)


# ---------------------------------------------------------------- loading


def _resources_json(available: dict[str, Path]) -> dict[str, Any]:
    # mwt gets its own package name so that Stanza does not add it on its own
    # when only the tokenizer exists
    entry: dict[str, Any] = {"lang_name": "Indonesian"}
    for proc in ALL_PROCESSORS:
        entry[proc] = {PACKAGE + ("_mwt" if proc == "mwt" else ""): {}}
    entry["packages"] = {PACKAGE: {p: PACKAGE for p in available if p != "mwt"}}
    entry["default_processors"] = {p: PACKAGE for p in available if p != "mwt"}
    return {"id": entry}


def available_models(model_dir: Path) -> dict[str, Path]:
    """The shipped model files that exist, by processor name."""
    return {p: model_dir / f"{p}.pt" for p in ALL_PROCESSORS if (model_dir / f"{p}.pt").exists()}


_PIPELINES: dict[NLPConfig, Any] = {}
_BUILDING = threading.Lock()  # one build at a time: it swaps functions in Stanza's module


def load_pipeline(config: NLPConfig | None = None) -> Any:
    """The Stanza pipeline for ``config`` (default: our models in the default
    models folder), built once per process and cached."""
    config = config or NLPConfig()
    if config not in _PIPELINES:
        with _BUILDING:
            if config not in _PIPELINES:
                _PIPELINES[config] = _build_pipeline(config)
    return _PIPELINES[config]


@contextmanager
def _without_optimizers() -> Iterator[None]:
    """Stanza's tokenizer, tagger and lemmatizer build training optimizers even when
    they only predict, and torch's first optimizer imports ``torch._dynamo``: 1.2-1.7 s
    of every start on 2 cores.  While the pipeline is built, optimizers are not made
    (prediction never uses them)."""
    from stanza.models.common import utils

    saved = utils.get_optimizer, utils.get_split_optimizer
    utils.get_optimizer = lambda *args, **kwargs: None
    utils.get_split_optimizer = lambda *args, **kwargs: {}
    try:
        yield
    finally:
        utils.get_optimizer, utils.get_split_optimizer = saved


def _build_pipeline(config: NLPConfig) -> Any:
    try:
        try:
            with _without_optimizers():
                return _stanza_pipeline(config)
        except (KeyError, AttributeError, TypeError):
            # a fine-tuned transformer tagger schedules its optimizer as it loads (a KeyError
            # on the missing "bert_optimizer"): build it as Stanza does.  Any other error is
            # real (a corrupt model file) and comes from the first load, not a second one.
            return _stanza_pipeline(config)
    except (NLPModelsMissing, ImportError, MemoryError):
        raise  # a missing library or memory is not the model files' fault
    except Exception as error:  # torch and Stanza raise many kinds on a bad file
        if "OutOfMemory" in type(error).__name__:  # torch's, a RuntimeError
            raise
        folder = config.resources_dir or config.model_dir
        first_line = next(iter(str(error).strip().splitlines()), "")  # torch's run to a page
        raise NLPModelsMissing(
            f"cannot load the Stanza models in {folder}: {type(error).__name__}: {first_line} "
            "(`argmap models` checks them against MANIFEST.json; `make models` rebuilds them)"
        ) from error


def _stanza_pipeline(config: NLPConfig) -> Any:
    import stanza

    wanted = list(config.processors)
    if config.resources_dir is not None:
        res = Path(config.resources_dir)
        if not (res / "resources.json").exists() or not (res / "id").is_dir():
            raise NLPModelsMissing(
                f"no official Stanza Indonesian models in {res} "
                f"(need {res / 'resources.json'} and {res / 'id'}/)"
            )
        return stanza.Pipeline(
            "id", dir=str(res), processors=",".join(wanted),
            download_method=None, logging_level="ERROR",
        )
    model_dir = Path(config.model_dir)
    found = available_models(model_dir)
    if "tokenize" not in found:
        raise NLPModelsMissing(
            f"Stanza tokenizer model not found: {model_dir / 'tokenize.pt'} "
            "(run `make models`, point --models at a models folder, or set stanza_resources "
            "in the config to an official stanza_resources folder)"
        )
    procs = [p for p in wanted if p in found]
    if "depparse" in procs and not {"pos", "lemma"} <= set(procs):
        procs.remove("depparse")
    missing = [p for p in wanted if p not in procs]
    if missing:
        log.warning("nlp: no usable model for %s in %s; running %s", ",".join(missing), model_dir, ",".join(procs))
    use = {p: found[p] for p in procs}
    resources = model_dir / "resources.json"
    if not resources.exists():
        tmp = Path(tempfile.mkdtemp(prefix="argmap_stanza_"))
        resources = tmp / "resources.json"
        resources.write_text(json.dumps(_resources_json(use)))
    kwargs: dict[str, Any] = {f"{p}_model_path": str(path) for p, path in use.items()}
    processors = {p: PACKAGE + ("_mwt" if p == "mwt" else "") for p in use}
    if "pos" in use:
        kwargs["pos_pretrain_path"] = None
    if "depparse" in use:
        kwargs["depparse_pretrain_path"] = None
    return stanza.Pipeline(
        "id", dir=str(resources.parent), resources_filepath=str(resources),
        processors=processors, download_method=None, logging_level="ERROR", **kwargs,
    )


# ---------------------------------------------------------------- lexicon


@lru_cache(maxsize=1)
def abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    """(all abbreviations, those that are titles), lower-cased."""
    kinds = pairs("nlp/abbreviations")
    return frozenset(kinds), frozenset(term for term, kind in kinds.items() if kind == "title")


def english_function_words() -> frozenset[str]:
    return lexicon("nlp/english_function_words")


def sentence_language(tokens: list[Token]) -> str:
    """"en" when English function words make up 15% of the words, else "id"."""
    words = [t.text.lower() for t in tokens if t.text.isalpha()]
    if len(words) < 4:
        return "id"
    hits = sum(w in english_function_words() for w in words)
    return "en" if hits >= 2 and hits / len(words) >= 0.15 else "id"


# ---------------------------------------------------------------- text preparation


@dataclass
class _Prepared:
    """One paragraph as Stanza sees it, with the way back to ``doc.text``."""

    text: str
    seg_starts: list[int]  # start of each piece in ``text``
    seg_docs: list[int]  # start of each piece in the document
    seg_lens: list[int]
    masked: bytearray  # 1 where a footnote marker was blanked
    protected: list[Span] = field(default_factory=list)  # URLs / e-mails in ``text``

    def to_doc(self, pos: int, end: bool = False) -> int:
        p = pos - 1 if end else pos
        i = max(0, bisect.bisect_right(self.seg_starts, p) - 1)
        return self.seg_docs[i] + (p - self.seg_starts[i]) + (1 if end else 0)

    def doc_spans(self, start: int, end: int) -> list[Span]:
        spans = []
        for s0, d0, n in zip(self.seg_starts, self.seg_docs, self.seg_lens):
            a, b = max(start, s0), min(end, s0 + n)
            if a < b:
                spans.append((d0 + a - s0, d0 + b - s0))
        return spans


def _prepare(text: str, spans: list[Span], hints: list[Span]) -> _Prepared:
    chunks: list[str] = []
    seg_starts, seg_docs, seg_lens = [], [], []
    pos = 0
    for a, b in spans:
        if chunks:
            chunks.append(" ")
            pos += 1
        seg_starts.append(pos)
        seg_docs.append(a)
        seg_lens.append(b - a)
        chunks.append(text[a:b])
        pos += b - a
    joined = "".join(chunks)
    masked = bytearray(len(joined))
    for rx in (SUPERSCRIPT_MARKER, CARET_MARKER):
        for m in rx.finditer(joined):
            if m.group() in ("²", "³") and UNIT_POWER.search(joined[max(0, m.start() - 4):m.start()]):
                continue
            masked[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    prep = _Prepared(joined, seg_starts, seg_docs, seg_lens, masked)
    for ha, hb in hints:
        for s0, d0, n in zip(seg_starts, seg_docs, seg_lens):
            a, b = max(ha, d0), min(hb, d0 + n)
            if a < b:
                masked[s0 + a - d0:s0 + b - d0] = b"\x01" * (b - a)
    chars = list(joined)
    for i, flag in enumerate(masked):
        if flag:
            chars[i] = " "
    prep.text = "".join(chars)
    for m in URL_OR_EMAIL.finditer(prep.text):
        a, b = m.start(), m.end()
        while b > a and prep.text[b - 1] in TRAILING_URL_PUNCT:
            b -= 1
        prep.protected.append((a, b))
    return prep


# ---------------------------------------------------------------- Stanza output


@dataclass
class _Word:
    text: str
    start: int  # offsets in the prepared text
    end: int
    lemma: str = ""
    upos: str = ""
    xpos: str = ""
    feats: str = ""
    head: int = 0
    deprel: str = ""
    token_id: int = 0  # words of one multi-word token share it


def _words(sentence: Any, token_base: int) -> list[_Word]:
    words: list[_Word] = []
    for k, token in enumerate(sentence.tokens):
        for word in token.words:
            words.append(_Word(
                text=word.text, start=token.start_char, end=token.end_char,
                lemma=word.lemma or "", upos=word.upos or "", xpos=word.xpos or "",
                feats=word.feats or "", head=word.head or 0, deprel=word.deprel or "",
                token_id=token_base + k,
            ))
    return words


def _last_chunk(text: str, end: int) -> tuple[str, str]:
    """The whitespace-free chunk ending at ``end`` and the one before it."""
    parts = text[max(0, end - 200):end].split()
    last = parts[-1].lstrip(OPENERS) if parts else ""
    prev = parts[-2].lstrip(OPENERS) if len(parts) > 1 else ""
    return last, prev


def _keeps_going(prep: _Prepared, sent: list[_Word], nxt: list[_Word]) -> bool:
    """True when the break between ``sent`` and ``nxt`` is a false one."""
    text = prep.text
    end, start = sent[-1].end, nxt[0].start
    first = text[start:start + 1]
    gap = text[end:start]
    if not gap and not first.isupper():
        return True  # "70.000", a URL: no space, no capital
    if first in CLOSERS or all(w.upos == "PUNCT" or not w.text.strip(CLOSERS) for w in nxt):
        return True  # '“Children, Beware!”.': the rest is closing punctuation
    if any(a < end and start < b for a, b in prep.protected):
        return True
    said = text[sent[0].start:end]
    if said.count("“") > said.count("”") and "”" in text[start:start + 60]:
        return True  # a short quoted title: “Lightning. Children, Beware!”
    if text[end - 1:end] != ".":
        return False
    terms, titles = abbreviations()
    last, prev = _last_chunk(text, end)
    low = last.lower()
    is_abbr = low in terms or f"{prev.lower()} {low}" in terms
    if INITIAL.fullmatch(last) or low in titles:
        return True
    return is_abbr and not first.isupper()


def _merge_sentences(prep: _Prepared, sentences: list[list[_Word]]) -> list[list[_Word]]:
    out: list[list[_Word]] = []
    for sent in sentences:
        if not sent:
            continue
        if out and _keeps_going(prep, out[-1], sent):
            offset = len(out[-1])
            first_root = next((k for k, w in enumerate(out[-1], 1) if w.deprel == "root"), 0)
            for w in sent:
                if w.head:
                    w.head += offset
                elif first_root and w.deprel == "root":
                    # one tree per unit: the second part hangs off the first root
                    w.head, w.deprel = first_root, "parataxis"
            out[-1].extend(sent)
        else:
            out.append(sent)
    return out


def _in_multiword(words: list[_Word], k: int) -> bool:
    tid = words[k].token_id
    return (k > 0 and words[k - 1].token_id == tid) or (k + 1 < len(words) and words[k + 1].token_id == tid)


def _join_group(prep: _Prepared, words: list[_Word], i: int) -> int:
    """How many words from ``i`` on make one token (1 = leave alone)."""
    text = prep.text
    terms, _ = abbreviations()
    best = 1
    start = words[i].start
    for j in range(i + 1, len(words)):
        if words[j].start != words[j - 1].end or _in_multiword(words, j):
            break
        piece = text[start:words[j].end]
        if INITIAL.fullmatch(piece) and j + 1 < len(words):
            best = j - i + 1  # "Peter M. Haas": an initial inside a sentence
        elif piece.lower() in terms or NUMBER.fullmatch(piece) or any(
            a <= start and words[j].end <= b for a, b in prep.protected
        ):
            best = j - i + 1
    return best


def _merge_tokens(prep: _Prepared, words: list[_Word]) -> list[_Word]:
    """Join the pieces of abbreviations, numbers, URLs and e-mails."""
    out: list[_Word] = []
    new_index: dict[int, int] = {}  # old 1-based index -> new 1-based index
    i = 0
    while i < len(words):
        n = 1 if _in_multiword(words, i) else _join_group(prep, words, i)
        group = words[i:i + n]
        head_word = group[0]
        if n > 1:
            inside = set(range(i + 1, i + n + 1))
            outside = [w for w in group if w.head not in inside]
            head_word = outside[0] if outside else group[0]
            piece = prep.text[group[0].start:group[-1].end]
            merged = _Word(
                text=piece, start=group[0].start, end=group[-1].end,
                lemma=piece.lower() if not NUMBER.fullmatch(piece) else piece,
                upos=group[0].upos, xpos=group[0].xpos, feats=group[0].feats,
                head=head_word.head, deprel=head_word.deprel, token_id=group[0].token_id,
            )
            if NUMBER.fullmatch(piece):
                merged.upos, merged.feats = "NUM", ""
                merged.xpos = "CC-" if group[0].xpos else ""
            elif piece.endswith(".") and group[0].upos:
                merged.lemma = piece.rstrip(".").lower() if len(group) == 2 else piece.lower()
            group = [merged]
        for k in range(n):
            new_index[i + k + 1] = len(out) + 1
        out.extend(group)
        i += n
    for k, w in enumerate(out, 1):
        if w.head:
            w.head = new_index.get(w.head, 0)
            if w.head == k:
                w.head = 0
    roots = [k for k, w in enumerate(out, 1) if w.head == 0 and w.deprel]
    for k in roots[1:]:
        out[k - 1].head, out[k - 1].deprel = roots[0], "dep"
    return out


def _tokens(prep: _Prepared, words: list[_Word]) -> list[Token]:
    return [
        Token(
            text=w.text, start=prep.to_doc(w.start), end=prep.to_doc(w.end, end=True),
            lemma=w.lemma, upos=w.upos, xpos=w.xpos, feats=w.feats, head=w.head, deprel=w.deprel,
        )
        for w in words
    ]


def _sentence_end(prep: _Prepared, end: int, next_start: int) -> int:
    """Extend a sentence over the footnote markers that follow it."""
    p = end
    while p < next_start:
        q = p
        while q < next_start and prep.text[q] in " \t" and not prep.masked[q]:
            q += 1
        if q < next_start and prep.masked[q]:
            while q < next_start and prep.masked[q]:
                q += 1
            p = q
        else:
            break
    return p


def _analyze(preps: list[_Prepared], config: NLPConfig | None) -> list[list[list[_Word]]]:
    from stanza.models.common.doc import Document as StanzaDocument

    pipe = load_pipeline(config)
    todo = [i for i, p in enumerate(preps) if p.text.strip()]
    results: list[list[list[_Word]]] = [[] for _ in preps]
    if not todo:
        return results
    docs = pipe([StanzaDocument([], text=preps[i].text) for i in todo])
    for i, sdoc in zip(todo, docs):
        prep = preps[i]
        sents = []
        base = 0
        for sentence in sdoc.sentences:
            sents.append(_words(sentence, base))
            base += len(sentence.tokens)
        sents = _merge_sentences(prep, sents)
        results[i] = [_merge_tokens(prep, s) for s in sents]
    return results


# ---------------------------------------------------------------- public API


def analyze_text(text: str, config: NLPConfig | None = None) -> list[list[Token]]:
    """Sentences of ``text`` as token lists (offsets into ``text``), with the
    same marker masking and repairs as :func:`annotate`."""
    prep = _prepare(text, [(0, len(text))], [])
    return [_tokens(prep, s) for s in _analyze([prep], config)[0]]


def fallback_paragraphs(text: str) -> list[Paragraph]:
    """Blank-line separated blocks, used when the structure stage found none."""
    paragraphs = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\s*(?:\n\s*\n|\Z))", text, re.DOTALL):
        paragraphs.append(Paragraph(id=f"p{len(paragraphs) + 1}", start=m.start(), end=m.end(), section=""))
    return paragraphs


def annotate(doc: Document, config: NLPConfig | None = None) -> Document:
    """Create ``doc.units``: one unit per sentence of every paragraph."""
    return annotate_many([doc], config)[0]


def annotate_many(docs: list[Document], config: NLPConfig | None = None) -> list[Document]:
    """:func:`annotate` for several documents, with one Stanza call for all their paragraphs
    (Stanza batches across them: faster for many short documents, see BENCH.md)."""
    preps_of: list[list[_Prepared]] = []
    for doc in docs:
        if not doc.paragraphs:
            doc.paragraphs = fallback_paragraphs(doc.text)
            doc.warnings.append("nlp: no paragraphs from the structure stage; used blank-line blocks")
        preps_of.append([_prepare(doc.text, para.spans(), doc.marker_hints) for para in doc.paragraphs])
    analyzed = _analyze([prep for preps in preps_of for prep in preps], config)
    start = 0
    for doc, preps in zip(docs, preps_of, strict=True):
        _add_units(doc, preps, analyzed[start:start + len(preps)])
        start += len(preps)
    return docs


def _add_units(doc: Document, preps: list[_Prepared], analyzed: list[list[list[_Word]]]) -> None:
    units: list[Unit] = []
    for para, prep, sentences in zip(doc.paragraphs, preps, analyzed):
        for k, words in enumerate(sentences):
            next_start = sentences[k + 1][0].start if k + 1 < len(sentences) else len(prep.text)
            s_start = words[0].start
            s_end = _sentence_end(prep, words[-1].end, next_start)
            spans = prep.doc_spans(s_start, s_end)
            tokens = _tokens(prep, words)
            unit = Unit(
                id=f"u{len(units) + 1}",
                start=spans[0][0],
                end=spans[-1][1],
                text=" ".join(doc.text[a:b] for a, b in spans),
                section=para.section,
                paragraph=para.id,
                parts=spans if len(spans) > 1 else [],
                tokens=tokens,
            )
            unit.language = sentence_language(tokens)
            units.append(unit)
    doc.units = units


class NLP:
    """The stage: sentences of every paragraph become units, with Stanza's tokens,
    lemmas and tags.  The Stanza pipeline loads when the stage is built."""

    name = "nlp"
    requires = ("paragraphs", "marker_hints")
    assigns = ("units", "units.tokens")

    def __init__(self, config: Config) -> None:
        self.config = NLPConfig.from_config(config)
        load_pipeline(self.config)

    def __call__(self, doc: Document) -> Document:
        return annotate(doc, self.config)

    def many(self, docs: list[Document]) -> list[Document]:
        """Several documents in one Stanza call (:meth:`pipeline.language.Pipeline.pipe`)."""
        return annotate_many(docs, self.config)
