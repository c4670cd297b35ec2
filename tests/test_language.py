"""The Pipeline (pipeline/language.py), its Config (pipeline/config.py) and the models
folder with its manifest (pipeline/models.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline import Config, Pipeline
from pipeline.language import check_order, stage_class
from pipeline.models import MANIFEST, default_models_dir, verify, write_manifest

SAMPLE = ROOT / "corpus" / "contoh_diplomasi_maritim.txt"


def test_default_pipeline_from_config() -> None:
    pipeline = Pipeline()
    assert pipeline.names == ["structure", "nlp", "citations", "units", "relations", "diagnostics"]
    assert pipeline.config.models_dir == ROOT / "models" == default_models_dir()
    assert pipeline.until("citations").names == ["structure", "nlp", "citations"]
    with pytest.raises(ValueError, match="no stage 'parser'"):
        pipeline.until("parser")


def test_stage_order_is_checked_when_the_pipeline_is_made() -> None:
    with pytest.raises(ValueError, match="stage 'units' requires units, citations, sections"):
        Pipeline(stages=["units"])
    with pytest.raises(ValueError, match="stage 'citations' requires units"):
        check_order([stage_class("structure"), stage_class("citations")])
    for name in ("structure", "nlp", "citations", "units", "relations", "diagnostics"):
        cls = stage_class(name)
        assert cls.name == name and cls.requires and cls.assigns


@pytest.mark.parametrize(("last_stage", "loaded"), [("citations", "False"), ("units", "True")])
def test_until_citations_runs_without_the_argument_model(last_stage: str, loaded: str) -> None:
    """In a fresh process, so nothing another test loaded can hide a load (the units stage,
    which needs the model, shows that the probe sees one)."""
    script = (
        "from pipeline import Pipeline, units\n"
        "loads = []\n"
        "read_model = units.read_model\n"
        "units.read_model = lambda *args: loads.append(args) or read_model(*args)\n"
        f"doc = Pipeline().until({last_stage!r}).process_file({str(SAMPLE)!r}, 'contoh')\n"
        "print(len(doc.units), len(doc.citations), bool(loads))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                            timeout=600, check=True)
    units, citations, argument_model_loaded = result.stdout.split()
    assert (int(units), int(citations), argument_model_loaded) == (30, 7, loaded)


def test_config_from_toml_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "argmap.toml"
    path.write_text('models_dir = "/srv/models"\nnlp_processors = ["tokenize", "pos"]\nmax_chars = 5000\n')
    config = Config.from_toml(path)
    assert config.models_dir == Path("/srv/models") and config.max_chars == 5000
    assert config.nlp_processors == ("tokenize", "pos")
    assert config.stanza_models == Path("/srv/models/stanza/id")
    config = Config.from_environ({"ARGMAP_NLP_PROCESSORS": "tokenize,mwt", "HOME": "/root"}, config)
    assert config.nlp_processors == ("tokenize", "mwt") and config.models_dir == Path("/srv/models")
    path.write_text('model_dir = "/srv/models"\n')
    with pytest.raises(ValueError, match="unknown setting.*model_dir"):
        Config.from_toml(path)


def test_shipped_models_match_their_manifest() -> None:
    folder = default_models_dir()
    assert verify(folder) == []
    names = set(json.loads((folder / MANIFEST).read_text())["files"])
    assert {"stanza/id/tokenize.pt", "stanza/id/pos.pt", "argument/model.npz"} <= names


def test_manifest_finds_changed_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "argument").mkdir()
    (tmp_path / "argument" / "metadata.json").write_text("{}")
    (tmp_path / "argument" / "model.npz").write_bytes(b"weights")
    write_manifest(tmp_path)
    assert verify(tmp_path) == []
    (tmp_path / "argument" / "model.npz").write_bytes(b"WEIGHTS")
    (tmp_path / "argument" / "metadata.json").unlink()
    assert verify(tmp_path) == ["argument/metadata.json: missing",
                                "argument/model.npz: sha256 differs from the manifest"]


def test_missing_models_stop_the_batch_with_one_clear_line(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(SAMPLE, inputs)
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(inputs), "-o", str(tmp_path / "out"),
                             "--models", str(tmp_path / "empty"), "-q"], check=False, capture_output=True, text=True,
                            cwd=ROOT, timeout=600)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("argmap: error: ")
    assert "tokenize.pt" in lines[0] and "make models" in lines[0] and "--models" in lines[0]


def test_models_command_checks_the_manifest() -> None:
    result = subprocess.run([sys.executable, "-m", "pipeline", "models"], check=False, capture_output=True, text=True,
                            cwd=ROOT, timeout=600)
    assert result.returncode == 0 and "all files match MANIFEST.json" in result.stderr


@pytest.mark.slow
def test_a_wheel_install_finds_its_models(tmp_path: Path) -> None:
    """The wheel carries the models under share/argmap/models; installed into a fresh
    environment that borrows this one's libraries, it finds and verifies them."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, timeout=900)
    (wheel,) = (tmp_path / "dist").glob("argmap_id-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert any(name.endswith(".data/data/share/argmap/models/MANIFEST.json") for name in names)
    assert any(name.endswith("share/argmap/models/stanza/id/tokenize.pt") for name in names)
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(env)],
                   check=True, timeout=300)
    python = env / "bin" / "python"
    # the fresh environment sees this one's libraries through a .pth file, but not the checkout
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "borrowed.pth").write_text(ours + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--prefix", str(env),
                    "--ignore-installed", str(wheel)], check=True, timeout=900)
    script = ("import pipeline, pipeline.models as m; print(pipeline.__file__); "
              "print(m.default_models_dir()); print(m.verify(m.default_models_dir()))")
    result = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True,
                            cwd=tmp_path, timeout=600, env={"PATH": "/usr/bin:/bin"})
    package_file, models_dir, problems = result.stdout.strip().splitlines()
    assert package_file.startswith(str(env)) and models_dir == str(env / "share" / "argmap" / "models")
    assert problems == "[]"


def test_every_word_list_is_read_and_a_missing_one_is_an_error() -> None:
    """Run the whole pipeline once, then no file under pipeline/lexicon/ may be unread."""
    from pipeline import lexicons

    pipeline = Pipeline()
    for name in ("artikel_endnotes_html", "skripsi_author_year"):
        pipeline.process_file(ROOT / "tests" / "data" / f"{name}.txt", name)
    from pipeline.features import section_role  # the no-sections fallback reads the section lists
    from pipeline.model import Document, Unit

    section_role(Document(id="x", source_path="", text="Pendahuluan\n\nIsi."), Unit("u1", 13, 17, "Isi.", "", ""))
    every = {path.relative_to(lexicons.LEXICON_DIR).with_suffix("").as_posix()
             for path in lexicons.LEXICON_DIR.rglob("*.txt")}
    assert every - lexicons.READ == set()
    with pytest.raises(FileNotFoundError, match="word list .*units/no_such_list.txt is missing"):
        lexicons.lines("units/no_such_list")


def test_pipe_runs_the_nlp_stage_once_for_several_documents_and_isolates_a_failure() -> None:
    """Pipeline.pipe gives each document what Pipeline() gives it alone; a document that
    breaks a stage comes back as its StageError and the others go on."""
    from pipeline.language import StageError
    from pipeline.model import Document

    upstream = Pipeline().until("citations")
    corpus = sorted((ROOT / "corpus").rglob("*.txt"))[:2]
    texts = [path.read_text(encoding="utf-8") for path in corpus]
    alone = [upstream(Document(id=f"d{k}", source_path="", text=text)) for k, text in enumerate(texts)]
    together = upstream.pipe([Document(id=f"d{k}", source_path="", text=text) for k, text in enumerate(texts)]
                             + [Document(id="bad", source_path="", text="x")])
    for one, joint in zip(alone, together, strict=False):
        assert isinstance(joint, Document)
        assert [(u.start, u.end, [t.lemma for t in u.tokens]) for u in joint.units] == \
            [(u.start, u.end, [t.lemma for t in u.tokens]) for u in one.units]
        assert len(joint.citations) == len(one.citations) > 0
    structure = upstream.stage("structure")
    original = type(structure).__call__

    def failing(self, doc):  # the structure stage breaks on one document only
        if doc.id == "bad":
            raise ValueError("broken on purpose")
        return original(self, doc)

    type(structure).__call__ = failing
    try:
        results = upstream.pipe([Document(id="bad", source_path="", text=texts[0]),
                                 Document(id="good", source_path="", text=texts[1])])
    finally:
        type(structure).__call__ = original
    assert isinstance(results[0], StageError) and results[0].stage == "structure"
    assert "broken on purpose" in results[0].reason
    assert isinstance(results[1], Document) and results[1].units
