"""Command line: ``argmap extract PATH... -o DIR`` (also ``python -m pipeline extract``)
``argmap validate``, ``argmap models``, and ``argmap export`` / ``report`` / ``corpus``
over an output folder.  Argument parsing and printing only; the batch engine is
:mod:`pipeline.batch`, and this is the one place that reads the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pipeline import __version__
from pipeline.batch import (
    ERRORS_NAME,
    EXIT_FAILURES,
    EXIT_OK,
    EXIT_USAGE,
    INDEX_NAME,
    UsageError,
    run_batch,
)
from pipeline.config import Config
from pipeline.graph.write import GraphError

DESCRIPTION = """\
Turn Indonesian International Relations theses and articles into argument
graphs: one JSONL file per document (schema argraph/1, docs/schema.md) with its
sections, sentences labelled claim / evidence / none, footnotes, bibliography
entries, citations and the support/attack relations between sentences."""

EXTRACT_EPILOG = """\
inputs:
  Any mix of files and folders; folders are searched recursively for .txt, .md,
  .pdf and .docx files (hidden files and folders, README/LICENSE/CHANGELOG/
  CONTRIBUTING/SOURCES/SCORES files and the output folder are left out). Each document's id is its file name without the extension; when
  two inputs share a name, the later ones (in the order given, folders in
  sorted path order) get -2, -3, ... appended.

outputs, in DIR:
  <doc-id>.jsonl   the argument graph of one document (argraph/1).
  <doc-id>.txt     for .pdf/.docx inputs: the extracted text the offsets refer
                   to (for .txt/.md the input file itself is that text).
  index.jsonl      one line per document: source path, output, status
                   (ok | skipped | failed), counts.
  errors.jsonl     one line per failed document of the last run: file, stage,
                   reason. Each failure is also reported on stderr as it happens.
  Every file is written to a temporary name and renamed into place, so an
  interrupted run leaves no half-written output.

resuming:
  A document whose output already exists with the same input sha256, source
  path, pipeline version and model versions is skipped; run the same command
  again after an interruption and only the missing documents are done.
  --force redoes every document.

progress:
  On a terminal, a progress bar on stderr shows documents done, documents/s and
  the time left; a summary line follows (-q hides both). With -j N, N worker
  processes share the models the main process loaded once and take documents
  as they finish: the largest first, and short .txt/.md files (under 16 kB) in
  groups of up to 16 that go through Stanza in one call.

on a Dask cluster (--scheduler):
  --scheduler tcp://HOST:8786 sends the documents to a running dask.distributed
  scheduler; --scheduler local starts a LocalCluster of -j single-threaded
  worker processes here. Each worker loads the models once, from its own
  models folder (--models as the workers see it). Resuming, index.jsonl,
  errors.jsonl and the exit status are as above; the workers send each graph
  back and this process writes it, so DIR need not be visible to the workers.
  Inputs up to 64 MiB travel with their task (the default); larger ones, and
  all of them with --inputs-shared, are read by the workers at the path given
  here, which must then be the same file on every worker. A document whose
  worker dies under it is started once more elsewhere, then recorded as failed
  (stage "worker"). If the scheduler goes away, the finished documents are
  kept, the run ends with a message and exit status 1; run it again to resume.

limits:
  Texts over --max-chars characters are refused with an error (a long thesis
  is well under a million characters; a run-away file would take hours).

exit status:
  0  every document was written or was already up to date
  1  some documents failed (see DIR/errors.jsonl); the others were written
  2  usage error: bad option, input path that does not exist, no input
     documents found, or an output folder that cannot be written

examples:
  argmap extract corpus -o outputs
  argmap extract ../shared/corpus thesis.pdf -o out -j 2
  python -m pipeline extract corpus -o outputs --force
  make extract CORPUS=../shared/corpus OUT=outputs JOBS=2
  argmap extract ../shared/corpus -o out --scheduler local -j 2
  argmap extract theses/ -o out --scheduler tcp://10.0.0.5:8786
  argmap validate outputs        # check every graph against the schema and its text"""


# ---------------------------------------------------------------------------
# Command line


def default_threads() -> int:
    """Torch threads per worker: OMP_NUM_THREADS when set, else 1.  Stanza's small
    models gain little from more threads, and on a busy machine extra threads
    spin against each other (measured: the seed took 27 s with 2 threads, 2.7 s
    with 1, while other work ran); documents run in parallel through -j."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return 1


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="argmap", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'argmap extract --help' for the batch options.",
    )
    parser.add_argument("--version", action="version", version=f"argmap {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    extract = commands.add_parser(
        "extract", help="write one JSONL argument graph per input document",
        description=DESCRIPTION, epilog=EXTRACT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    extract.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                         help="input files (.txt .md .pdf .docx) and folders (searched recursively)")
    extract.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                         help="output folder (created when missing)")
    extract.add_argument("-j", "--jobs", type=_positive_int, default=1, metavar="N",
                         help="worker processes, each loading the models once (default 1)")
    extract.add_argument("--threads", type=_positive_int, default=None, metavar="N",
                         help="torch threads per worker (default: OMP_NUM_THREADS, else 1; "
                              "use -j for parallelism)")
    extract.add_argument("--force", action="store_true",
                         help="redo documents whose output is already up to date")
    extract.add_argument("--max-chars", type=_positive_int, default=None, metavar="N",
                         help="refuse texts longer than N characters (default 2,000,000)")
    extract.add_argument("-q", "--quiet", action="store_true",
                         help="no progress bar and no summary line (failures are still reported)")
    extract.add_argument("--models", type=Path, default=None, metavar="DIR",
                         help="the models folder (holding MANIFEST.json, stanza/id/ and argument/); "
                              "default: the checkout's models/, or share/argmap/models of a wheel "
                              "install (also ARGMAP_MODELS)")
    extract.add_argument("--config", type=Path, default=None, metavar="FILE",
                         help="a TOML file of pipeline settings (models_dir, nlp_processors, "
                              "stanza_dir, stanza_resources, max_chars); options and ARGMAP_* "
                              "variables override it")
    extract.add_argument("--scheduler", default=None, metavar="ADDRESS",
                         help="run on a Dask cluster: the address of a running dask.distributed "
                              "scheduler (tcp://host:8786), or 'local' for a LocalCluster of -j "
                              "worker processes; default: this machine's -j worker processes")
    extract.add_argument("--inputs-shared", action="store_true",
                         help="with --scheduler: the workers read each input at its path (a "
                              "shared file system) instead of receiving its bytes with the task "
                              "(the default for inputs up to 64 MiB)")

    models = commands.add_parser(
        "models", help="show where the models are and check them against their manifest",
        description="Print the models folder the pipeline would use and check every file "
                    "against its MANIFEST.json (size and sha256).  Exit status 0 when all "
                    "match, 1 otherwise.",
    )
    models.add_argument("--models", type=Path, default=None, metavar="DIR",
                        help="the models folder to check (default as for extract)")

    validate = commands.add_parser(
        "validate", help="check graph files against the argraph/1 schema and their text",
        description="Check each <doc-id>.jsonl against the argraph/1 JSON Schema, its ids "
                    "and the text its offsets refer to.  Exit status 0 when all are valid, "
                    "1 otherwise.",
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                          help="graph files or folders holding them")
    add_reading_commands(commands)
    return parser


def config_from(args: argparse.Namespace) -> Config:
    """The pipeline's config: the TOML file, then ARGMAP_* variables, then options."""
    try:
        base = Config.from_toml(args.config) if getattr(args, "config", None) else Config()
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read the config {args.config}: {error}") from error
    config = Config.from_environ(os.environ, base)
    if args.models is not None:
        config = replace(config, models_dir=args.models)
    return config


def _extract(args: argparse.Namespace) -> int:
    options = {"jobs": args.jobs, "force": args.force, "max_chars": args.max_chars,
               "progress": not args.quiet, "threads": args.threads or default_threads(),
               "config": config_from(args)}
    if args.scheduler:
        from pipeline.cluster import SchedulerLost, run_cluster

        try:
            summary = run_cluster(args.paths, args.output, args.scheduler,
                                  inputs_shared=args.inputs_shared, **options)
        except SchedulerLost as error:
            print(f"argmap: error: {error}", file=sys.stderr)
            return EXIT_FAILURES
    elif args.inputs_shared:
        raise UsageError("--inputs-shared goes with --scheduler")
    else:
        summary = run_batch(args.paths, args.output, **options)
    if not args.quiet:
        failed = summary.count("failed")
        processed = summary.count("ok") + failed
        rate = processed / summary.wall_s if summary.wall_s else 0.0
        total = len(summary.outcomes)
        line = (f"argmap: {total} document{'s' if total != 1 else ''}: "
                f"{summary.count('ok')} written, "
                f"{summary.count('skipped')} up to date, {failed} failed "
                f"in {summary.wall_s:.1f} s" + (f" ({rate:.2f} docs/s)" if processed else ""))
        if failed:
            line += f"; see {summary.out_dir / ERRORS_NAME}"
        print(line, file=sys.stderr)
    return summary.exit_code


def _validate(args: argparse.Namespace) -> int:
    from pipeline.graph import validate_file

    files: list[Path] = []
    for path in args.paths:
        if path.is_dir():
            files += sorted(item for item in path.rglob("*.jsonl")
                            if item.name not in (INDEX_NAME, ERRORS_NAME))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"path does not exist: {path}")
    bad = 0
    for file in files:
        problems = validate_file(file)
        if problems:
            bad += 1
            for problem in problems[:20]:
                print(f"{file}: {problem}")
    print(f"argmap: {len(files) - bad} of {len(files)} graph files valid", file=sys.stderr)
    return EXIT_FAILURES if bad else EXIT_OK


def _models(args: argparse.Namespace) -> int:
    from pipeline.models import ModelsMissing, verify

    folder = config_from(args).models_dir
    try:
        problems = verify(folder)
    except ModelsMissing as error:
        raise UsageError(str(error)) from error
    for problem in problems:
        print(f"{folder}: {problem}")
    print(f"argmap: models in {folder}: " + ("all files match MANIFEST.json" if not problems
                                                else f"{len(problems)} problem(s)"), file=sys.stderr)
    return EXIT_FAILURES if problems else EXIT_OK


# ---------------------------------------------------------------------------
# What people and other tools read: export, report, corpus (pipeline/export,
# pipeline/report, pipeline/corpus_view); each reads an extract output folder.

EXPORT_EPILOG = """\
formats:
  aif   <doc-id>.json per graph: AIF JSON (AIFdb, OVA, arguebuf): an I-node per
        claim/evidence unit; RA, CA and MA nodes for supports, attacks and
        restates.
  brat  <doc-id>.txt and <doc-id>.ann per graph and one annotation.conf:
        MajorClaim, Claim, Evidence and Citation spans (exact offsets into the
        .txt), the relations, attributes, and diagnostics as notes.
  csv   documents, units, notes, sources, citations, relations and diagnostics
        .csv (one row per record, keyed by doc_id and id), and the same tables
        as .parquet when pyarrow is installed.

examples:
  argmap export outputs --format aif -o exports/aif
  argmap export outputs --format csv -o exports/tables"""

REPORT_EPILOG = """\
writes, in REPORT_DIR:
  <doc-id>.html  one self-contained page per graph: the text with claims,
                 evidence and major claims highlighted (probabilities on hover),
                 citations linked to their note and bibliography entry, the
                 argument map as SVG from introduction to conclusion, and the
                 diagnostics.
  index.html     a sortable table of the documents, their counts and diagnostics
                 (and the corpus view, when 'argmap corpus' has written one).
  No page loads anything from the network.

example:
  argmap report outputs -o report && xdg-open report/index.html"""

CORPUS_EPILOG = """\
writes, in OUT_DIR/corpus (or --output):
  sources.csv     every work cited across the theses, normalised (author, year,
                  title key), with the number of theses citing it
  citing.csv      which thesis cites which work (and by which records)
  shared.csv      pairs of theses that cite the same works
  authors.csv     people cited by more than one thesis (through any work)
  diagnostics.csv diagnostic counts per thesis
  The works and authors shared by more than one thesis are also printed.
  'argmap report' shows the same view on index.html and corpus.html.

example:
  argmap corpus outputs"""


def add_reading_commands(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export", help="write the graphs as AIF JSON, brat standoff or CSV/Parquet tables",
        description="Export every graph of an 'argmap extract' output folder for other tools.",
        epilog=EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="an 'argmap extract' output folder")
    export.add_argument("--format", required=True, choices=("aif", "brat", "csv"),
                        help="aif, brat or csv (see below)")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                        help="folder to write into (created when missing)")
    report = commands.add_parser(
        "report", help="write an offline HTML report: one page per document and an index",
        description="Write HTML pages for the researchers and supervisors reading the graphs.",
        epilog=REPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="an 'argmap extract' output folder")
    report.add_argument("-o", "--output", type=Path, required=True, metavar="REPORT_DIR",
                        help="folder to write the pages into (created when missing)")
    corpus = commands.add_parser(
        "corpus", help="sources, citations and diagnostics across all the theses of a folder",
        description="Normalise the works cited across the theses of an output folder and say "
                    "who cites what, which works are cited most and which theses share sources.",
        epilog=CORPUS_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    corpus.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="an 'argmap extract' output folder")
    corpus.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                        help="folder for the tables (default: OUT_DIR/corpus)")


def _export(args: argparse.Namespace) -> int:
    from pipeline.export import export_folder

    written = export_folder(args.out_dir, args.format, args.output)
    print(f"argmap: {len(written)} files ({args.format}) written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from pipeline.report import write_report

    pages = write_report(args.out_dir, args.output)
    print(f"argmap: {len(pages)} pages written; open {args.output / 'index.html'}", file=sys.stderr)
    return EXIT_OK


def _corpus(args: argparse.Namespace) -> int:
    from pipeline.corpus_view import write_corpus_view

    view = write_corpus_view(args.out_dir, args.output)
    for work in view.shared_works:
        print(f"shared work {work.id}: {work.best('author')} ({work.best('year') or 'n.d.'}) "
              f"{work.best('title')}: {', '.join(work.theses)}")
    for name, spellings, theses in view.shared_authors():
        print(f"shared author {name} ({' | '.join(spellings)}): {', '.join(theses)}")
    print(f"argmap: {view.summary()}; tables in {view.folder}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        command = {"extract": _extract, "models": _models, "validate": _validate,
                   "export": _export, "report": _report, "corpus": _corpus}[args.command]
        return command(args)
    except UsageError as error:
        print(f"argmap: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (GraphError, FileNotFoundError) as error:  # export/report/corpus: a graph or its text
        print(f"argmap: error: {error}", file=sys.stderr)
        return EXIT_FAILURES
    except KeyboardInterrupt:
        print("argmap: interrupted; finished documents are kept, run again to resume",
              file=sys.stderr)
        return 130
