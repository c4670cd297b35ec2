"""Finding the models the stages load: one folder, described by a manifest.

The folder (``models/`` of the checkout, or ``<prefix>/share/argmap/models`` for a
wheel install, or whatever ``--models DIR`` / the config names) holds
``MANIFEST.json``: every model file with its size and sha256.  A stage asks for
the files it needs through :func:`require`; a missing file is an error that
names the file and says how to get it, never a silent fallback.
:func:`verify` checks every file against the manifest (``argmap models --verify``,
and the tests).  ``python -m pipeline.models DIR`` rewrites the manifest after a
retraining (``make train`` and ``make models`` do so).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

MANIFEST = "MANIFEST.json"
MODEL_SUFFIXES = (".pt", ".npz", ".json")
STANZA_SUBDIR = Path("stanza") / "id"
ARGUMENT_SUBDIR = Path("argument")
HOW_TO_GET = {
    "stanza": "run `make models` (trains them from ../shared/ud)",
    "argument": "run `make train` (fits it on corpus/gold)",
}


class ModelsMissing(RuntimeError):
    """A model file a stage needs is not there; the message names it and the fix."""


def candidate_dirs() -> list[Path]:
    """Where models are looked for when nothing names a folder: the checkout's
    ``models/`` (an editable install) and the wheel's data folder."""
    return [Path(__file__).resolve().parents[1] / "models", Path(sys.prefix) / "share" / "argmap" / "models"]


def default_models_dir() -> Path:
    """The first candidate folder holding a manifest (else the first, for the error message)."""
    candidates = candidate_dirs()
    return next((folder for folder in candidates if (folder / MANIFEST).is_file()), candidates[0])


def require(models_dir: Path, kind: str, names: list[str]) -> list[Path]:
    """The paths of ``names`` under the ``kind`` ("stanza" or "argument") subfolder."""
    subdir = STANZA_SUBDIR if kind == "stanza" else ARGUMENT_SUBDIR
    paths = [models_dir / subdir / name for name in names]
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise ModelsMissing(
            f"{kind} model missing: {', '.join(str(path) for path in missing)}; {HOW_TO_GET[kind]}, "
            f"or point --models (or models_dir in the config) at a folder holding {subdir}/"
        )
    return paths


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_files(models_dir: Path) -> list[Path]:
    """The files a manifest lists: models and their metadata, not logs or notes."""
    return sorted(path for path in models_dir.rglob("*")
                  if path.is_file() and path.suffix in MODEL_SUFFIXES and path.name != MANIFEST)


def write_manifest(models_dir: Path) -> dict[str, dict[str, object]]:
    entries = {path.relative_to(models_dir).as_posix(): {"bytes": path.stat().st_size, "sha256": file_sha256(path)}
               for path in model_files(models_dir)}
    (models_dir / MANIFEST).write_text(json.dumps({"files": entries}, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    return entries


def read_manifest(models_dir: Path) -> dict[str, dict[str, object]]:
    path = models_dir / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))["files"]
    except FileNotFoundError as error:
        raise ModelsMissing(f"no {MANIFEST} in {models_dir}: not a models folder (see README 'Models')") from error


def verify(models_dir: Path) -> list[str]:
    """Problems of the folder against its manifest: missing, resized or changed files."""
    problems = []
    for name, entry in sorted(read_manifest(models_dir).items()):
        path = models_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{name}: {path.stat().st_size} bytes, manifest says {entry['bytes']}")
        elif file_sha256(path) != entry["sha256"]:
            problems.append(f"{name}: sha256 differs from the manifest")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    models_dir = Path(args[0]) if args else default_models_dir()
    entries = write_manifest(models_dir)
    print(f"{models_dir / MANIFEST}: {len(entries)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
