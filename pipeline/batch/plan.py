"""Planning a batch: finding the input documents, naming them, what is already up to date,
and the groups the work is handed out in (see :mod:`pipeline.batch`)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.models import file_sha256

SUFFIXES = (".txt", ".md", ".pdf", ".docx")
RESERVED_IDS = ("index", "errors")
# documentation files that sit in corpus folders; named explicitly they are still read
NOT_DOCUMENTS = ("readme", "license", "changelog", "contributing", "sources", "scores")

EXIT_OK, EXIT_FAILURES, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command line or environment: exit status 2."""


@dataclass
class Job:
    path: Path
    doc_id: str
    output: Path
    sha256: str = ""


@dataclass
class Outcome:
    job: Job
    status: str  # ok | skipped | failed
    stage: str = ""
    reason: str = ""
    counts: dict[str, int] | None = None
    seconds: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    peak_rss_mb: float = 0.0
    # proportional and unique set size after the document: what the worker really costs
    # when pages are shared with the parent it was forked from (Linux; 0 elsewhere)
    pss_mb: float = 0.0
    uss_mb: float = 0.0
    worker: int = 0

    def index_entry(self) -> dict[str, Any]:
        return {
            "id": self.job.doc_id,
            "source": str(self.job.path),
            "output": str(self.job.output) if self.status != "failed" else None,
            "status": self.status,
            "sha256": self.job.sha256,
            "counts": self.counts,
            "stage": self.stage or None,
            "reason": self.reason or None,
        }

    def error_entry(self) -> dict[str, Any]:
        return {"file": str(self.job.path), "id": self.job.doc_id, "stage": self.stage,
                "reason": self.reason}


@dataclass
class BatchSummary:
    out_dir: Path
    outcomes: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0
    jobs: int = 1

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILURES if self.count("failed") else EXIT_OK

    @property
    def peak_rss_mb(self) -> float:
        return max((outcome.peak_rss_mb for outcome in self.outcomes), default=0.0)


# ---------------------------------------------------------------------------
# Finding inputs and naming them


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def discover(paths: Iterable[Path], out_dir: Path) -> tuple[list[Path], list[Path]]:
    """The input documents in a stable order, and files named explicitly that are
    not a supported type.  Raises UsageError for a path that does not exist."""
    found: list[Path] = []
    unsupported: list[Path] = []
    seen: set[Path] = set()
    out_resolved = out_dir.resolve()

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            found.append(path)

    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*"), key=lambda item: item.as_posix()):
                if (
                    candidate.is_file()
                    and candidate.suffix.lower() in SUFFIXES
                    and not _hidden(candidate, path)
                    and candidate.stem.casefold() not in NOT_DOCUMENTS
                    and out_resolved not in candidate.resolve().parents
                ):
                    add(candidate)
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                add(path)
            else:
                unsupported.append(path)
        else:
            raise UsageError(f"input path does not exist: {path}")
    return found, unsupported


def assign_ids(files: Sequence[Path]) -> list[tuple[Path, str]]:
    """doc-id = file name without extension; later duplicates (compared without
    case, since some file systems ignore it) get -2, -3, ..."""
    taken = {reserved.casefold() for reserved in RESERVED_IDS}
    assigned = []
    for path in files:
        stem = path.stem or "document"
        doc_id, number = stem, 1
        while doc_id.casefold() in taken:
            number += 1
            doc_id = f"{stem}-{number}"
        taken.add(doc_id.casefold())
        assigned.append((path, doc_id))
    return assigned


def check_output_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".argmap-probe-{os.getpid()}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write to the output folder {out_dir}: {reason}") from error
    # temporary files of a run killed mid-write (an hour old: not a run still going)
    for stale in out_dir.glob(".*.tmp"):
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink()
        except OSError:
            pass


def batch_config(config: Config | None, max_chars: int | None) -> Config:
    """The configuration a batch runs with: ``config`` (else the defaults), with
    ``max_chars`` in place when the command line gives one."""
    config = config or Config()
    return replace(config, max_chars=max_chars) if max_chars else config


def plan_batch(inputs: Sequence[Path | str], out_dir: Path) -> list[Outcome]:
    """Every input document as an Outcome, in batch order: 'todo' with its sha256,
    or 'failed' (a file of another type named explicitly, an unreadable file).
    Raises :class:`UsageError` for a missing input, no documents, or an output
    folder that cannot be written."""
    paths = [Path(item) for item in inputs]
    files, unsupported = discover(paths, out_dir)
    if not files and not unsupported:
        raise UsageError("no .txt, .md, .pdf or .docx documents found in: "
                         + ", ".join(str(path) for path in paths))
    check_output_dir(out_dir)
    outcomes: list[Outcome] = []
    for path, doc_id in assign_ids([*files, *unsupported]):
        job = Job(path=path, doc_id=doc_id, output=out_dir / f"{doc_id}.jsonl")
        if path in unsupported:
            outcomes.append(Outcome(job=job, status="failed", stage="discover",
                                    reason=f"unsupported file type {path.suffix!r} "
                                           f"(expected {', '.join(SUFFIXES)})"))
            continue
        try:
            job.sha256 = file_sha256(path)
        except OSError as error:
            outcomes.append(Outcome(job=job, status="failed", stage="ingest",
                                    reason=f"cannot read the file: {error.strerror or error}"))
            continue
        outcomes.append(Outcome(job=job, status="todo"))
    return outcomes


# ---------------------------------------------------------------------------
# What is up to date


def is_up_to_date(job: Job, version: str, models: dict[str, str]) -> dict[str, Any] | None:
    """The existing output's document record when it was made from the same input
    by the same pipeline and models (and its extracted text is still there)."""
    from pipeline.graph import SCHEMA_ID, read_document_record

    record = read_document_record(job.output)
    if not record or record.get("schema") != SCHEMA_ID:
        return None
    same = (
        record.get("sha256") == job.sha256
        and record.get("pipeline_version") == version
        and record.get("model_versions") == models
        and record.get("source") == str(job.path)
    )
    if not same:
        return None
    # text_path is written from the graph's folder (an absolute one stays as it is)
    if not (job.output.parent / record.get("text_path", "")).is_file():
        return None
    return record


def skip_up_to_date(outcomes: list[Outcome], version: str, models: dict[str, str]) -> list[Outcome]:
    """The outcomes, each 'todo' whose output was made from the same input by the
    same pipeline and models turned 'skipped'."""
    result = []
    for outcome in outcomes:
        record = is_up_to_date(outcome.job, version, models) if outcome.status == "todo" else None
        result.append(outcome if record is None else
                      Outcome(job=outcome.job, status="skipped", counts=record.get("counts")))
    return result


# ---------------------------------------------------------------------------
# Groups: short documents go through the stages together


# short documents go through the stages together, up to this many bytes or documents a group
GROUP_FILE_BYTES = 16_000  # a larger file runs alone
GROUP_BYTES = 48_000
GROUP_DOCUMENTS = 16


def _file_size(job: Job) -> int:
    try:
        return job.path.stat().st_size
    except OSError:
        return 0


def job_groups(todo: list[Job]) -> list[list[Job]]:
    """The jobs in groups for :func:`pipeline.batch.work.process_group`, largest first (a long thesis started
    last would leave the other workers idle): each file over GROUP_FILE_BYTES alone, the
    others packed in batch order up to GROUP_BYTES and GROUP_DOCUMENTS."""
    sizes = {job.doc_id: _file_size(job) for job in todo}
    groups: list[list[Job]] = []
    current: list[Job] = []
    current_bytes = 0
    for job in todo:
        size = sizes[job.doc_id]
        if size > GROUP_FILE_BYTES or job.path.suffix.lower() not in (".txt", ".md"):
            groups.append([job])
            continue
        if current and (current_bytes + size > GROUP_BYTES or len(current) == GROUP_DOCUMENTS):
            groups.append(current)
            current, current_bytes = [], 0
        current.append(job)
        current_bytes += size
    if current:
        groups.append(current)
    return sorted(groups, key=lambda group: sum(sizes[job.doc_id] for job in group), reverse=True)
