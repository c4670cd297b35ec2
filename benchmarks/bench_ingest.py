"""Time the PDF reader on a long thesis-sized PDF (``make bench-ingest``).

Builds the PDF from the shared corpus (every document of ``corpus/`` twice, about
300,000 characters, ~90 A4 pages) with LibreOffice, once, into ``build/bench/``,
then reads it with ``pipeline.ingest.read_document`` and prints seconds per 100
pages against the target of 2.0.  ``--compare-pdfplumber`` also times
pdfplumber's word extraction on the same file, where it is installed (the
reader this one replaced).

Usage: python benchmarks/bench_ingest.py [--shared DIR] [--repeat N] [--compare-pdfplumber]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS_PER_100_PAGES = 2.0


def long_pdf(shared: Path) -> Path:
    """The corpus twice over as one LibreOffice PDF (built once, then reused)."""
    out = ROOT / "build" / "bench" / "corpus-twice.pdf"
    if out.is_file():
        return out
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("bench-ingest: LibreOffice (soffice) is needed to build the PDF: "
                         "apt-get install libreoffice-writer-nogui")
    texts = [path.read_text(encoding="utf-8") for path in sorted((shared / "corpus").glob("*.txt"))]
    if not texts:
        raise SystemExit(f"bench-ingest: no .txt documents in {shared / 'corpus'}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "corpus-twice.txt"
        source.write_text("\n\n".join(texts + texts), encoding="utf-8")
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{scratch}/profile",
                        "--convert-to", "pdf", "--outdir", str(out.parent), str(source)],
                       check=True, capture_output=True, timeout=600)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--compare-pdfplumber", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import pypdfium2

    from pipeline.ingest import read_document

    path = long_pdf(args.shared)
    pages = len(pypdfium2.PdfDocument(path))
    read_document(path, "warm-up")
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        doc = read_document(path, "bench")
        times.append(time.perf_counter() - started)
    best = min(times)
    per_100 = best / pages * 100
    print(f"PDF: {path.relative_to(ROOT)}, {pages} pages, {len(doc.text):,} characters out")
    print(f"pipeline.ingest (pypdfium2): {best:.2f} s = {per_100:.2f} s per 100 pages "
          f"(target <= {TARGET_SECONDS_PER_100_PAGES}; ratio {per_100 / TARGET_SECONDS_PER_100_PAGES:.2f})")
    if args.compare_pdfplumber:
        try:
            import pdfplumber
        except ImportError:
            print("pdfplumber is not installed: no comparison")
            return
        started = time.perf_counter()
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words(extra_attrs=["size"], use_text_flow=True)
        plumber = time.perf_counter() - started
        print(f"pdfplumber extract_words: {plumber:.2f} s = {plumber / pages * 100:.2f} s per 100 pages "
              f"({plumber / best:.1f} x slower)")


if __name__ == "__main__":
    main()
