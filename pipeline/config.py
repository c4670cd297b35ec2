"""One configuration for the whole pipeline, read once at the edge.

The command line, the batch, training, evaluation and the benchmarks build a
:class:`Config` and hand it to :class:`pipeline.language.Pipeline`; no stage
reads the environment.  A config comes from defaults, from a TOML file
(``--config FILE``), or from the environment (:meth:`Config.from_environ`,
called by the command line only)::

    # argmap.toml
    models_dir = "/srv/argmap/models"
    nlp_processors = ["tokenize", "mwt", "pos", "lemma"]
    max_chars = 2000000
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pipeline.models import STANZA_SUBDIR, default_models_dir

DEFAULT_PROCESSORS = ("tokenize", "mwt", "pos", "lemma")
STAGE_NAMES = ("structure", "nlp", "citations", "units", "relations", "diagnostics")
# a long thesis is well under a million characters; a run-away file would take hours
MAX_CHARS = 2_000_000
ENVIRONMENT = {
    "ARGMAP_MODELS": "models_dir",
    "ARGMAP_NLP_PROCESSORS": "nlp_processors",
    "ARGMAP_STANZA_MODELS": "stanza_dir",
    "ARGMAP_STANZA_RESOURCES": "stanza_resources",
}


@dataclass(frozen=True)
class Config:
    models_dir: Path = field(default_factory=default_models_dir)
    nlp_processors: tuple[str, ...] = DEFAULT_PROCESSORS
    stanza_dir: Path | None = None  # our Stanza models elsewhere than <models_dir>/stanza/id
    stanza_resources: Path | None = None  # an official stanza_resources folder instead of ours
    max_chars: int = MAX_CHARS
    rules_only: bool = False  # units and relations by rules, no argument model (a baseline)

    def __post_init__(self) -> None:
        for name in ("models_dir", "stanza_dir", "stanza_resources"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        processors = self.nlp_processors
        if isinstance(processors, str):
            processors = tuple(part.strip() for part in processors.split(",") if part.strip())
        object.__setattr__(self, "nlp_processors", tuple(processors))

    @property
    def stanza_models(self) -> Path:
        return self.stanza_dir or self.models_dir / STANZA_SUBDIR

    @classmethod
    def from_toml(cls, path: Path | str) -> Config:
        with open(path, "rb") as stream:
            values = tomllib.load(stream)
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**values)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], base: Config | None = None) -> Config:
        """``base`` with the ``ARGMAP_*`` variables that are set applied on top."""
        values = {setting: environ[name] for name, setting in ENVIRONMENT.items() if environ.get(name)}
        return replace(base or cls(), **values)

    def settings(self) -> dict[str, Any]:
        """What changes the outputs, for the version record of every graph."""
        values = asdict(self)
        values.pop("max_chars")
        return {key: str(value) if isinstance(value, Path) else value for key, value in values.items()
                if value is not None and key != "models_dir"}
