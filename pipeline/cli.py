"""Command line: ``argmap extract PATH... -o DIR`` (also ``python -m pipeline extract``)
and ``argmap validate``.  Argument parsing and printing only; the batch engine is
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
  processes each load the models once and take documents as they finish.

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
    summary = run_batch(args.paths, args.output, jobs=args.jobs, force=args.force,
                        max_chars=args.max_chars, progress=not args.quiet,
                        threads=args.threads or default_threads(), config=config_from(args))
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        command = {"extract": _extract, "models": _models, "validate": _validate}[args.command]
        return command(args)
    except UsageError as error:
        print(f"argmap: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("argmap: interrupted; finished documents are kept, run again to resume",
              file=sys.stderr)
        return 130
