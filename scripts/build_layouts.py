"""Typeset one plain-text article the ways real theses reach users.

    python scripts/build_layouts.py SRC.txt OUTDIR [--name seed]

The article's parts come from the project's own ingest and structure stages
(front matter, sections with roles, paragraphs rejoined across note blocks,
notes, bibliography groups); each footnote is put back at its superscript
marker.  Written to OUTDIR (``seed`` is ``--name``):

- ``seed.fodt``          flat ODT: real footnotes, Heading styles, running head, page-number footer, A4
- ``seed-word.pdf``      LibreOffice's PDF of seed.fodt (what "Save as PDF" in a word processor gives)
- ``seed.docx``          LibreOffice's DOCX of seed.fodt (real Word footnotes)
- ``seed-latex.pdf``     pdflatex article class, \\footnote, running heads
- ``seed-twocol.pdf``    the same as a two-column journal page
- ``seed-skripsi.pdf``   report-class thesis: cover, LEMBAR PENGESAHAN, DAFTAR ISI, BAB I..IV, DAFTAR PUSTAKA
- ``seed-pdftotext.txt`` ``pdftotext -layout seed-word.pdf`` (markers as plain digits)

The .tex sources are kept beside the PDFs.  Needs soffice, pdflatex and
pdftotext on PATH; exits with status 2 naming whichever is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.ingest import read_document
from pipeline.markers import SUPERSCRIPT_DIGITS, marker_number
from pipeline.model import Document
from pipeline.structure import segment

TOOLS = {
    "soffice": "LibreOffice (apt-get install libreoffice-writer)",
    "pdflatex": "pdfTeX (apt-get install texlive-latex-recommended)",
    "pdftotext": "poppler (apt-get install poppler-utils)",
}
SOFFICE_TIMEOUT = 240  # a cold LibreOffice start with a fresh profile is slow
LATEX_TIMEOUT = 120
PDFTOTEXT_TIMEOUT = 60
# The cover needs a university; the seed does not name one, so this is a placeholder.
COVER_UNIVERSITY = "UNIVERSITAS CONTOH INDONESIA"
COVER_FACULTY = "FAKULTAS ILMU SOSIAL DAN ILMU POLITIK"
COVER_PROGRAMME = "PROGRAM STUDI HUBUNGAN INTERNASIONAL"
SMALL_TITLE_WORDS = {"dalam", "di", "ke", "dari", "dan", "yang", "untuk", "pada", "atau", "of", "the", "and", "in"}

# Inline pieces of a paragraph: ("text", s), ("em", s) or ("note", number).
Inline = tuple[str, str | int]

EMPHASIS = re.compile(r"(?<![*\w])\*(?!\*)(.+?)(?<!\*)\*(?![*\w])|(?<![_\w])_(?!_)(.+?)_(?![_\w])")
SUPERSCRIPT_RUN = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$])")


@dataclass
class Block:
    """One paragraph of prose, as inline pieces."""

    pieces: list[Inline]


@dataclass
class Part:
    heading: str
    role: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Article:
    title: str
    short_title: str
    authors: list[str]
    supervisors: list[str]
    keywords_line: str
    abstract: Part | None
    parts: list[Part]  # introduction, body sections, conclusion (in order)
    references_heading: str
    references: list[tuple[str, list[list[Inline]]]]  # (group, entries)
    notes: dict[int, list[Inline]]
    year: str


# --------------------------------------------------------------------------- reading


def parse_inline(text: str, notes: dict[int, list[Inline]] | None = None) -> list[Inline]:
    """Markdown emphasis becomes ("em", …); superscript markers of known notes become ("note", n)."""
    pieces: list[Inline] = []
    position = 0
    for match in EMPHASIS.finditer(text):
        pieces.extend(_split_markers(text[position : match.start()], notes))
        pieces.append(("em", _unescape(match.group(1) or match.group(2))))
        position = match.end()
    pieces.extend(_split_markers(text[position:], notes))
    return [piece for piece in pieces if piece[1] != ""]


def _split_markers(text: str, notes: dict[int, list[Inline]] | None) -> list[Inline]:
    pieces: list[Inline] = []
    position = 0
    for match in SUPERSCRIPT_RUN.finditer(text):
        number = marker_number(match.group())
        if notes is None or number not in notes:
            continue
        pieces.append(("text", _unescape(text[position : match.start()])))
        pieces.append(("note", number))
        position = match.end()
    pieces.append(("text", _unescape(text[position:])))
    return pieces


def _unescape(text: str) -> str:
    return MARKDOWN_ESCAPE.sub(r"\1", text)


def plain(pieces: list[Inline]) -> str:
    return "".join(str(value) for kind, value in pieces if kind != "note")


def short_title(title: str) -> str:
    """A running head: "X Y Z (XYZ)" shortened to the acronym, then title case."""
    words = title.split()
    acronyms: set[str] = set()
    for index, word in enumerate(words):
        acronym = re.fullmatch(r"\(([A-Z]{2,})\)", word)
        if not acronym:
            continue
        letters = acronym.group(1)
        # count back over the words (split on hyphens too) whose initials spell the acronym
        taken, initials = 0, ""
        while len(initials) < len(letters) and taken < index:
            taken += 1
            initials = "".join(p[0] for p in words[index - taken].split("-") if p) + initials
        if initials.upper() == letters:
            words = words[: index - taken] + [letters] + words[index + 1 :]
            acronyms.add(letters)
            break
    cased = []
    for position, word in enumerate(words):
        if word in acronyms:
            cased.append(word)
        elif position and word.lower() in SMALL_TITLE_WORDS:
            cased.append(word.lower())
        else:
            cased.append("-".join(p.capitalize() for p in word.split("-")))
    return " ".join(cased)


def read_article(path: Path) -> Article:
    doc: Document = segment(read_document(path, path.stem))
    notes: dict[int, list[Inline]] = {}
    for note in doc.notes:
        number = marker_number(note.number)
        if number is not None:
            notes[number] = parse_inline(note.text)
    paragraphs_by_section: dict[str, list[Block]] = {}
    for paragraph in doc.paragraphs:
        # a paragraph cut by a note block is one paragraph on the page
        text = " ".join(doc.text[start:end].strip() for start, end in paragraph.spans())
        paragraphs_by_section.setdefault(paragraph.section, []).append(Block(parse_inline(text, notes)))
    abstract: Part | None = None
    parts: list[Part] = []
    references_heading = "DAFTAR PUSTAKA"
    for section in doc.sections:
        blocks = paragraphs_by_section.get(section.id, [])
        if section.role == "abstract":
            abstract = Part(section.heading, section.role, blocks)
        elif section.role == "references":
            references_heading = section.heading
        elif section.role in ("introduction", "body", "conclusion", "other") and blocks:
            parts.append(Part(section.heading, section.role, blocks))
    references: list[tuple[str, list[list[Inline]]]] = []
    for source in doc.sources:
        if not references or references[-1][0] != source.group:
            references.append((source.group, []))
        references[-1][1].append(parse_inline(source.text))
    keywords_line = ""
    if doc.front.keywords_span:
        # the whole line, label ("Key word:") included
        start, end = doc.front.keywords_span
        start = doc.text.rfind("\n", 0, start) + 1
        stop = doc.text.find("\n", end)
        keywords_line = doc.text[start : stop if stop >= 0 else len(doc.text)].strip()
    years = [int(y) for y in re.findall(r"\b(19[5-9]\d|20[0-4]\d)\b", doc.text)]
    used = {number for block in paragraphs_by_section.values() for b in block
            for kind, number in b.pieces if kind == "note"}
    for number in sorted(set(notes) - used):
        print(f"build_layouts: note {number} has no marker in the prose; left out", file=sys.stderr)
    title = " ".join(doc.front.title.split())
    return Article(
        title=title,
        short_title=short_title(title),
        authors=doc.front.authors,
        supervisors=doc.front.supervisors,
        keywords_line=keywords_line,
        abstract=abstract,
        parts=parts,
        references_heading=references_heading,
        references=references,
        notes=notes,
        year=str(max(years)) if years else "",
    )


# --------------------------------------------------------------------------- ODT

ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)

ODT_STYLES = """
 <office:font-face-decls>
  <style:font-face style:name="Times New Roman" svg:font-family="'Times New Roman'" style:font-family-generic="roman"/>
 </office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/>
   <style:text-properties style:font-name="Times New Roman" fo:font-size="12pt" fo:language="id" fo:country="ID"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
  <style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph" style:parent-style-name="Standard" style:class="text">
   <style:paragraph-properties fo:text-align="justify" fo:line-height="150%" fo:text-indent="1.25cm" fo:margin-top="0cm" fo:margin-bottom="0.2cm"/>
  </style:style>
  <style:style style:name="Keywords" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="justify" fo:margin-top="0.2cm" fo:margin-bottom="0.4cm"/>
  </style:style>
  <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard" style:class="chapter">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.4cm"/>
   <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Author" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="0.2cm"/>
  </style:style>
  <style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard" style:next-style-name="Text_20_body" style:class="text">
   <style:paragraph-properties fo:margin-top="0.5cm" fo:margin-bottom="0.25cm" fo:keep-with-next="always"/>
   <style:text-properties fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Heading" style:next-style-name="Text_20_body" style:default-outline-level="1" style:class="text">
   <style:text-properties fo:font-size="12pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Bibliography_20_Group" style:display-name="Bibliography Group" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:margin-top="0.3cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always"/>
   <style:text-properties fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Bibliography_20_Entry" style:display-name="Bibliography Entry" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="justify" fo:margin-left="1.25cm" fo:text-indent="-1.25cm" fo:margin-bottom="0.2cm"/>
  </style:style>
  <style:style style:name="Footnote" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
   <style:paragraph-properties fo:text-align="justify" fo:margin-left="0.5cm" fo:text-indent="-0.5cm"/>
   <style:text-properties fo:font-size="10pt"/>
  </style:style>
  <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
   <style:paragraph-properties fo:text-align="end"/>
   <style:text-properties fo:font-size="10pt" fo:font-style="italic"/>
  </style:style>
  <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
   <style:paragraph-properties fo:text-align="center"/>
   <style:text-properties fo:font-size="10pt"/>
  </style:style>
  <style:style style:name="Emphasis" style:family="text">
   <style:text-properties fo:font-style="italic"/>
  </style:style>
  <text:notes-configuration text:note-class="footnote" style:num-format="1" text:start-value="0" text:footnotes-position="page" text:start-numbering-at="document"/>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="3cm" fo:margin-right="3cm"/>
   <style:header-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-bottom="0.5cm"/></style:header-style>
   <style:footer-style><style:header-footer-properties fo:min-height="0.6cm" fo:margin-top="0.5cm"/></style:footer-style>
  </style:page-layout>
 </office:automatic-styles>
"""


def odt_inline(pieces: list[Inline], notes: dict[int, list[Inline]]) -> str:
    out: list[str] = []
    for kind, value in pieces:
        if kind == "text":
            out.append(xml_escape(str(value)))
        elif kind == "em":
            out.append(f'<text:span text:style-name="Emphasis">{xml_escape(str(value))}</text:span>')
        else:
            body = odt_inline(notes[int(value)], notes)
            out.append(
                f'<text:note text:id="ftn{value}" text:note-class="footnote">'
                f"<text:note-citation>{value}</text:note-citation><text:note-body>"
                f'<text:p text:style-name="Footnote">{body}</text:p></text:note-body></text:note>'
            )
    return "".join(out)


def render_fodt(article: Article) -> str:
    def para(style: str, pieces: list[Inline]) -> str:
        return f'<text:p text:style-name="{style}">{odt_inline(pieces, article.notes)}</text:p>'

    def heading(text: str) -> str:
        return (f'<text:h text:style-name="Heading_20_1" text:outline-level="1">'
                f"{xml_escape(text)}</text:h>")

    body: list[str] = [para("Title", [("text", article.title)])]
    body += [para("Author", [("text", name)]) for name in article.authors]
    body += [para("Author", [("text", f"Pembimbing: {name}")]) for name in article.supervisors]
    if article.abstract:
        body.append(heading(article.abstract.heading))
        body += [para("Text_20_body", block.pieces) for block in article.abstract.blocks]
        if article.keywords_line:
            body.append(para("Keywords", parse_inline(article.keywords_line)))
    for part in article.parts:
        body.append(heading(part.heading))
        body += [para("Text_20_body", block.pieces) for block in part.blocks]
    if article.references:
        body.append(heading(article.references_heading))
        for group, entries in article.references:
            if group:
                body.append(para("Bibliography_20_Group", [("text", group)]))
            body += [para("Bibliography_20_Entry", entry) for entry in entries]
    master = (
        ' <office:master-styles>\n  <style:master-page style:name="Standard" style:page-layout-name="pm1">'
        f'<style:header><text:p text:style-name="Header">{xml_escape(article.short_title)}</text:p></style:header>'
        '<style:footer><text:p text:style-name="Footer"><text:page-number text:select-page="current">1'
        "</text:page-number></text:p></style:footer></style:master-page>\n </office:master-styles>\n"
    )
    meta = (f" <office:meta><dc:title>{xml_escape(article.title)}</dc:title>"
            f"<meta:initial-creator>{xml_escape(', '.join(article.authors))}</meta:initial-creator></office:meta>\n")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document {ODT_NS} office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">\n'
        + meta + ODT_STYLES + master
        + " <office:body>\n  <office:text>\n   " + "\n   ".join(body) + "\n  </office:text>\n </office:body>\n"
        "</office:document>\n"
    )


# --------------------------------------------------------------------------- LaTeX

LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    # OT1 fonts print < > | as other glyphs
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
URL_BREAK_AFTER = set("/.&=?%-_,")
LONG_TOKEN = 25


def latex_escape(text: str) -> str:
    """Escape TeX specials; let long unspaced tokens (URLs) break after / . & = ?."""
    out: list[str] = []
    for token in re.split(r"(\s+)", text):
        long_token = len(token) >= LONG_TOKEN
        for char in token:
            out.append(LATEX_SPECIAL.get(char, char))
            if long_token and char in URL_BREAK_AFTER:
                out.append(r"\allowbreak{}")
    return "".join(out)


def latex_inline(pieces: list[Inline], notes: dict[int, list[Inline]], footnotes: bool = True) -> str:
    out: list[str] = []
    for kind, value in pieces:
        if kind == "text":
            out.append(latex_escape(str(value)))
        elif kind == "em":
            out.append(r"\textit{" + latex_escape(str(value)) + "}")
        elif footnotes:
            out.append(r"\footnote{" + latex_inline(notes[int(value)], notes) + "}")
    return "".join(out)


def has_package(name: str) -> bool:
    try:
        found = subprocess.run(["kpsewhich", f"{name}.sty"], check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(found.stdout.strip())


def latex_preamble(document_class: str, geometry: str) -> list[str]:
    lines = [
        rf"\documentclass[{document_class.split(':')[0]}]{{{document_class.split(':')[1]}}}",
        r"\usepackage[utf8]{inputenc}",
    ]
    if has_package("lmodern"):
        lines += [r"\usepackage[T1]{fontenc}", r"\usepackage{lmodern}"]
    # without lmodern, T1 would need bitmap fonts; OT1 Computer Modern is Type 1
    lines += [
        rf"\usepackage[{geometry}]{{geometry}}",
        r"\input{glyphtounicode}\pdfgentounicode=1",  # ligatures extract as letters
        r"\emergencystretch=3em",
        r"\renewcommand{\contentsname}{DAFTAR ISI}",
    ]
    return lines


def running_heads(left: str, right: str, fancy: bool) -> list[str]:
    if fancy:
        return [
            r"\usepackage{fancyhdr}", r"\pagestyle{fancy}", r"\fancyhf{}",
            rf"\fancyhead[L]{{\small\itshape {left}}}", rf"\fancyhead[R]{{\small {right}}}",
            r"\fancyfoot[C]{\thepage}", r"\renewcommand{\headrulewidth}{0.4pt}",
        ]
    return [r"\pagestyle{myheadings}", rf"\markright{{{left}}}"]


def latex_bibliography(article: Article, heading_command: str | None) -> list[str]:
    lines: list[str] = []
    if heading_command:
        lines.append(heading_command + "{" + latex_escape(article.references_heading) + "}")
    for group, entries in article.references:
        if group:
            lines.append(r"\par\medskip\noindent\textbf{" + latex_escape(group) + r"}\par")
        lines.append(r"\begin{list}{}{\setlength{\leftmargin}{1.25cm}\setlength{\itemindent}{-1.25cm}"
                     r"\setlength{\itemsep}{0.3em}\setlength{\parsep}{0pt}}")
        lines += [r"\item " + latex_inline(entry, article.notes) for entry in entries]
        lines.append(r"\end{list}")
    return lines


def latex_blocks(article: Article, blocks: list[Block]) -> list[str]:
    return [latex_inline(block.pieces, article.notes) + "\n" for block in blocks]


def render_latex_article(article: Article, twocolumn: bool) -> str:
    fancy = has_package("fancyhdr")
    author = latex_escape(", ".join(article.authors))
    surname = latex_escape(article.authors[0].split()[-1]) if article.authors else ""
    if twocolumn:
        lines = latex_preamble("10pt,a4paper,twocolumn:article", "a4paper,margin=2cm,columnsep=0.8cm")
    else:
        lines = latex_preamble("12pt,a4paper:article", "a4paper,margin=3cm")
    lines += running_heads(latex_escape(article.short_title), surname, fancy)
    lines.append(r"\begin{document}")
    abstract: list[str] = []
    if article.abstract:
        abstract = [r"\noindent\textbf{" + latex_escape(article.abstract.heading) + r"}\par\smallskip"]
        abstract += [r"\noindent " + latex_inline(block.pieces, article.notes, footnotes=False) + r"\par"
                     for block in article.abstract.blocks]
        if article.keywords_line:
            abstract.append(r"\smallskip\noindent " + latex_inline(parse_inline(article.keywords_line), {}) + r"\par")
    front = [r"\begin{center}", r"{\Large\bfseries " + latex_escape(article.title) + r"\par}\medskip",
             author + r"\par"]
    front += [r"\smallskip Pembimbing: " + latex_escape(name) + r"\par" for name in article.supervisors]
    front.append(r"\end{center}")
    if twocolumn:
        # title and abstract span both columns
        lines.append(r"\twocolumn[{" + "\n".join(front) + r"\begin{quote}\small" + "\n"
                     + "\n".join(abstract) + r"\end{quote}\bigskip}]")
    else:
        lines += front
        lines += [r"\begin{quote}"] + abstract + [r"\end{quote}"]
    lines.append(r"\thispagestyle{" + ("fancy" if fancy else "myheadings") + "}")
    for part in article.parts:
        lines.append(r"\section*{" + latex_escape(part.heading) + "}")
        lines += latex_blocks(article, part.blocks)
    lines += latex_bibliography(article, r"\section*")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


SKRIPSI_MACROS = r"""
\renewcommand{\chaptername}{BAB}
\renewcommand{\thechapter}{\Roman{chapter}}
\renewcommand{\thesection}{\arabic{chapter}.\arabic{section}}
\renewcommand{\bibname}{DAFTAR PUSTAKA}
\counterwithout{footnote}{chapter}
\makeatletter
% "BAB I" on one line, the chapter title on the next, centred, as Indonesian theses print them
\def\@makechapterhead#1{{\centering\normalfont\large\bfseries \chaptername\ \thechapter\par
  \vskip 6pt #1\par}\vskip 30pt}
\def\@makeschapterhead#1{{\centering\normalfont\large\bfseries #1\par}\vskip 30pt}
% table of contents: "BAB I  PENDAHULUAN ...... 1" with dotted leaders on chapters too
\def\bab@numberline#1{\hb@xt@\@tempdima{\chaptername\ #1\hfil}}
\renewcommand*{\l@chapter}[2]{\addpenalty{-\@highpenalty}\vskip 0.6em
  \begingroup\let\numberline\bab@numberline\bfseries\@dottedtocline{0}{0em}{5.2em}{#1}{#2}\endgroup}
\makeatother
"""


def render_latex_skripsi(article: Article) -> str:
    fancy = has_package("fancyhdr")
    author = latex_escape(", ".join(article.authors))
    title = latex_escape(article.title)
    lines = latex_preamble("12pt,a4paper,oneside:report", "a4paper,left=4cm,top=4cm,right=3cm,bottom=3cm")
    lines.append(SKRIPSI_MACROS)
    if fancy:
        # page number top right; chapter openings use the plain style (number at the foot)
        lines += [r"\usepackage{fancyhdr}", r"\pagestyle{fancy}", r"\fancyhf{}",
                  r"\fancyhead[R]{\thepage}", r"\renewcommand{\headrulewidth}{0pt}"]
    lines += [r"\linespread{1.5}", r"\begin{document}", r"\pagenumbering{roman}"]
    lines += [
        r"\begin{titlepage}\centering\bfseries\large",
        title + r"\par\vspace{2cm}",
        r"{\Large SKRIPSI}\par\vspace{0.5cm}",
        r"\normalfont\normalsize Diajukan untuk memenuhi salah satu syarat memperoleh gelar Sarjana Ilmu Politik\par",
        r"\vspace{2cm}Oleh:\par\bfseries " + author + r"\par\vfill",
        latex_escape(COVER_PROGRAMME) + r"\par",
        latex_escape(COVER_FACULTY) + r"\par",
        latex_escape(COVER_UNIVERSITY) + r"\par",
        latex_escape(article.year) + r"\par",
        r"\end{titlepage}",
        r"\setcounter{page}{2}",
    ]
    supervisor = latex_escape(article.supervisors[0]) if article.supervisors else ""
    lines += [
        r"\chapter*{LEMBAR PENGESAHAN}\addcontentsline{toc}{chapter}{LEMBAR PENGESAHAN}",
        r"\noindent Skripsi dengan judul \textit{" + title + r"} yang disusun oleh " + author
        + r" telah diperiksa dan disetujui untuk diujikan.\par\vspace{2cm}",
        r"\begin{flushright}Pembimbing,\par\vspace{2cm}" + supervisor + r"\end{flushright}",
    ]
    if article.abstract:
        lines.append(r"\chapter*{" + latex_escape(article.abstract.heading.upper()) + "}")
        lines.append(r"\addcontentsline{toc}{chapter}{" + latex_escape(article.abstract.heading.upper()) + "}")
        lines += latex_blocks(article, article.abstract.blocks)
        if article.keywords_line:
            lines.append(r"\noindent " + latex_inline(parse_inline(article.keywords_line), {}) + "\n")
    lines += [
        r"\chapter*{KATA PENGANTAR}\addcontentsline{toc}{chapter}{KATA PENGANTAR}",
        ("Puji syukur penulis panjatkan atas selesainya skripsi ini. Penulis mengucapkan terima kasih "
        "kepada dosen pembimbing atas arahan dan masukan selama penulisan, kepada keluarga atas "
        "dukungannya, serta kepada semua pihak yang telah membantu. Penulis menyadari bahwa skripsi "
        "ini masih jauh dari sempurna, sehingga kritik dan saran sangat diharapkan.\n"),
        r"\tableofcontents",
        r"\clearpage\pagenumbering{arabic}",
    ]
    chapters = skripsi_chapters(article.parts)
    for chapter_title, sections in chapters:
        lines.append(r"\chapter{" + latex_escape(chapter_title) + "}")
        for section_title, blocks in sections:
            if section_title:
                lines.append(r"\section{" + latex_escape(section_title) + "}")
            lines += latex_blocks(article, blocks)
    lines.append(r"\chapter*{" + latex_escape(article.references_heading) + "}")
    lines.append(r"\addcontentsline{toc}{chapter}{" + latex_escape(article.references_heading) + "}")
    lines += latex_bibliography(article, None)
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def skripsi_chapters(parts: list[Part]) -> list[tuple[str, list[tuple[str, list[Block]]]]]:
    """Introduction → BAB I with "1.1 Latar Belakang"; each body section → its own BAB
    in two numbered halves; conclusion → the last BAB, KESIMPULAN."""
    chapters: list[tuple[str, list[tuple[str, list[Block]]]]] = []
    for part in parts:
        if part.role == "introduction":
            chapters.append(("PENDAHULUAN", [("Latar Belakang", part.blocks)]))
        elif part.role == "conclusion":
            chapters.append(("KESIMPULAN", [("", part.blocks)]))
        else:
            half = max(1, (len(part.blocks) + 1) // 2)
            sections = [("Gambaran Umum", part.blocks[:half])]
            if part.blocks[half:]:
                sections.append(("Pembahasan", part.blocks[half:]))
            chapters.append((part.heading.upper(), sections))
    return chapters


# --------------------------------------------------------------------------- tools


class BuildError(RuntimeError):
    pass


def run_tool(command: list[str], timeout: int, cwd: Path | None = None) -> None:
    try:
        done = subprocess.run(command, check=False, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        raise BuildError(f"{command[0]} took longer than {timeout} s: {' '.join(command)}") from error
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise BuildError(f"{command[0]} failed (exit {done.returncode}): " + "\n".join(tail))


def pdflatex(tex: Path, out_pdf: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="layouts_tex_") as work:
        command = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                   f"-output-directory={work}", str(tex.resolve())]
        for _ in range(2):  # the second run fills in the table of contents and page refs
            run_tool(command, LATEX_TIMEOUT, cwd=Path(work))
        shutil.move(str(Path(work) / f"{tex.stem}.pdf"), out_pdf)


def soffice_convert(source: Path, target_format: str, out_file: Path) -> None:
    # a private profile so that parallel runs (tests, make) do not lock each other out
    profile = Path(tempfile.mkdtemp(prefix="lo_profile_"))
    work = Path(tempfile.mkdtemp(prefix="layouts_lo_"))
    try:
        run_tool(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                  "--convert-to", target_format, "--outdir", str(work), str(source.resolve())],
                 SOFFICE_TIMEOUT)
        produced = work / f"{source.stem}.{target_format.split(':')[0]}"
        if not produced.exists():
            raise BuildError(f"soffice wrote no {produced.name} for {source.name}")
        shutil.move(str(produced), out_file)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def missing_tools() -> list[str]:
    return [f"{tool} ({package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]


def build(source: Path, out_dir: Path, name: str = "seed") -> list[Path]:
    """Write every layout of ``source`` into ``out_dir``; returns the files written, in order."""
    missing = missing_tools()
    if missing:
        raise BuildError("missing tool(s): " + ", ".join(missing))
    article = read_article(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def wrote(path: Path) -> None:
        written.append(path)
        print(f"wrote {path}", flush=True)

    fodt = out_dir / f"{name}.fodt"
    fodt.write_text(render_fodt(article), encoding="utf-8")
    wrote(fodt)
    soffice_convert(fodt, "pdf", out_dir / f"{name}-word.pdf")
    wrote(out_dir / f"{name}-word.pdf")
    soffice_convert(fodt, "docx:MS Word 2007 XML", out_dir / f"{name}.docx")
    wrote(out_dir / f"{name}.docx")
    for suffix, text in (
        ("latex", render_latex_article(article, twocolumn=False)),
        ("twocol", render_latex_article(article, twocolumn=True)),
        ("skripsi", render_latex_skripsi(article)),
    ):
        tex = out_dir / f"{name}-{suffix}.tex"
        tex.write_text(text, encoding="utf-8")
        pdflatex(tex, out_dir / f"{name}-{suffix}.pdf")
        wrote(out_dir / f"{name}-{suffix}.pdf")
    text_out = out_dir / f"{name}-pdftotext.txt"
    run_tool(["pdftotext", "-layout", str(out_dir / f"{name}-word.pdf"), str(text_out)], PDFTOTEXT_TIMEOUT)
    wrote(text_out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="the article as .txt (or .md)")
    parser.add_argument("out_dir", type=Path, help="folder for the layouts (created)")
    parser.add_argument("--name", default="seed", help="file name prefix (default: seed)")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"build_layouts: no such file: {args.source}", file=sys.stderr)
        return 2
    try:
        build(args.source, args.out_dir, args.name)
    except BuildError as error:
        print(f"build_layouts: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
