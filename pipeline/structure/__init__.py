"""Stage 'structure': front matter, sections, paragraphs, raw notes and sources.

Reads ``doc.text`` (and ``doc.marker_hints`` and ``doc.non_prose`` from ingest;
lines inside a non-prose span are never prose).  Adds (and extends
``doc.marker_hints`` with footnote markers written as plain digits):

- ``doc.front``: title, authors, supervisors ("Pembimbing"), keywords with spans;
- ``doc.sections``: one per heading, with a role (abstract, introduction, body,
  conclusion, references, notes, other; in theses also research_question,
  objectives, hypothesis, theory, method, results, suggestions, and front / appendix
  for the pages outside the argument) from the word lists ``lexicon/structure/section_*.txt``
  and, in a numbered thesis, from the chapter a subsection stands in; a document
  without headings gets one body section;
- ``doc.paragraphs``: running prose only (no headings, keyword lines, note
  texts, bibliography, page furniture).  A paragraph that ends without
  sentence-final punctuation and continues after a note block, a page break or
  a blank line is ONE paragraph whose ``parts`` list the pieces (running
  heads, page numbers and form feeds between them are left out);
- ``doc.notes``: raw footnote texts (``n<number>``), unparsed;
- ``doc.sources``: raw bibliography entries (``b1``…), grouped by their
  sub-heading (BUKU, JURNAL, E-BOOK, INTERNET …), entries broken over lines joined.
- ``doc.captions``: figure captions written as a bracketed line ("[Logo Docker[34]]"),
  which are neither prose nor units.

The stage reads in five steps, one module each: ``lines`` (the text as lines),
``headings`` (every shape of heading), ``classify`` (a kind for every line),
``notes`` (footnote texts spilled into running lines) and ``assembly`` (front
matter, sections, notes, sources and paragraphs from the classified lines).

Headings come in many shapes: markdown ``#``, "BAB I PENDAHULUAN", "1.1 Latar
Belakang", "A. Latar Belakang", ALL-CAPS lines, and, in text extracted from PDFs,
headings run into the first sentence ("BAB I PENDAHULUAN 1.1 LATAR BELAKANG Saat
ini, …"); all of them are recognised here.  Footnote texts are recognised by a
leading marker (¹, ``[1]``, ``^1``, or a plain number that a marker in the prose
announced) and, in PDF noise, where they were spilled into a running line.
"""

from pipeline.structure.assembly import Structure, segment

__all__ = ["Structure", "segment"]
