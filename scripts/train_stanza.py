"""Train the project's offline Stanza Indonesian models from the UD treebanks.

Recipe (``make models``; UD_DIR defaults to ../shared/ud):

* Split.  train = GSD dev + CSUI train + PUD test (+ the 2017 GSD train file,
  ``legacy/id_gsd-ud-train.v2.0.conllu``, where present; USE_LEGACY=0 leaves
  it out); dev = CSUI test; test = GSD test, which is only ever used by
  ``eval`` (never trained or tuned on; Stanza's trainers only score against
  ``dev``).
* The tokenizer/MWT data is written as one synthetic treebank
  ``UD_Indonesian-Argmap`` (short name ``id_argmap``) under
  ``$STANZA_WORK/ud`` and prepared with Stanza's own
  ``stanza.utils.datasets.prepare_*_treebank`` scripts.  It follows GSD's
  tokenisation: multi-word tokens of CSUI/PUD that GSD writes as one word
  (lainnya, meskipun, ...) are joined, and the legacy file, which has no
  multi-word tokens, gets GSD's clitic splits (``-nya`` on nouns/verbs/...,
  the forms GSD dev splits).  The models are trained with Stanza's own
  trainers (``stanza.utils.training.run_*`` for tokenize/mwt,
  ``stanza.models.lemmatizer`` / ``tagger`` / ``parser`` directly for the
  others because they need their own training files).
* Lemmas.  All lemmas lower-cased (GSD's convention); the seq2seq model sees
  GSD dev LEMMA_GSD_WEIGHT times; its dictionary is then rebuilt with GSD
  dev's lemmas first, then CSUI/PUD, then the Indonesian lookup table of the
  ``spacy-lookups-data`` package (MIT, fetched with pip at training time,
  never copied here; LEMMA_LOOKUP=0 leaves it out).
* Nothing downloads at run time: ``--no_charlm`` everywhere, no pretrained
  word vectors (``--no_pretrain``), ``download_method=None`` when evaluating.
* XPOS.  GSD uses its own tag set (NSD, VSA, Z--, ...), CSUI uses a
  Penn-style set (NN, VB, IN, ...) and PUD has no XPOS.  The shipped tagger
  predicts the GSD tag set only: the CSUI XPOS column is blanked before POS
  and depparse training, and the tagger is given one training file per
  treebank, so Stanza masks the XPOS loss for files without XPOS (UPOS and
  feats are learned from all three; the legacy file, FEATS blanked, gives
  UPOS only).  XPOS scores on GSD test therefore come from ~560 GSD dev
  sentences of XPOS supervision only.
* Threads.  Each trainer runs with 1 torch thread (TRAIN_THREADS); after the
  tokenizer, mwt -> lemma and pos -> depparse train as two lanes side by
  side, so the recipe uses the 2 cores without oversubscribing them (2 threads
  per trainer on a busy 2-core machine was ~10x slower per step).
* Every trainer has a wall-clock cap (``*_MAX_MIN``); Stanza saves the best
  dev model at each evaluation, so a capped trainer still ships its best.
* STANZA_WORK (default build/stanza) holds the converted data, checkpoints
  and logs; ``--no-install`` trains a candidate there without touching
  models/stanza/id, and ``eval --models DIR`` scores a candidate folder.

Usage:
    python scripts/train_stanza.py all            # prepare, tokenize, tokenize_gsd, then the two lanes of `rest`
    python scripts/train_stanza.py prepare|tokenize|tokenize_gsd|mwt|lemma|pos|depparse|depparse_more|install [--no-install]
    python scripts/train_stanza.py eval           # CoNLL 2018 scores on GSD test (make eval-nlp)
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Work folder for converted data, checkpoints and logs (outside git when set).
BUILD = Path(os.environ.get("STANZA_WORK", ROOT / "build" / "stanza")).resolve()
TREEBANK = "UD_Indonesian-Argmap"
SHORT = "id_argmap"
# GSD-convention tokenizer data (the 2017 GSD train + CSUI/PUD in GSD's tokenisation)
TREEBANK_GSD = "UD_Indonesian-ArgmapGsd"
SHORT_GSD = "id_argmapgsd"
MODEL_DIR = ROOT / "models" / "stanza" / "id"
SAVE = BUILD / "saved_models"
LOGS = BUILD / "logs"

# Step budgets, chosen for ~100 minutes of wall time on a contended 2-core CPU.
TOKENIZE_STEPS = int(os.environ.get("TOKENIZE_STEPS", "2500"))
TOKENIZE_MORE_STEPS = int(os.environ.get("TOKENIZE_MORE_STEPS", "3000"))
TOKENIZE_GSD_STEPS = int(os.environ.get("TOKENIZE_GSD_STEPS", "500"))
MWT_EPOCHS = int(os.environ.get("MWT_EPOCHS", "15"))
LEMMA_EPOCHS = int(os.environ.get("LEMMA_EPOCHS", "6"))
# GSD dev is repeated this many times in the lemmatizer's seq2seq training data
LEMMA_GSD_WEIGHT = int(os.environ.get("LEMMA_GSD_WEIGHT", "3"))
# Indonesian lemma lookup table (MIT licence), read at training time only
SPACY_LOOKUPS = "spacy-lookups-data==1.0.5"
POS_STEPS = int(os.environ.get("POS_STEPS", "1500"))
POS_GSD_STEPS = int(os.environ.get("POS_GSD_STEPS", "500"))
DEPPARSE_STEPS = int(os.environ.get("DEPPARSE_STEPS", "1500"))
DEPPARSE_MORE_STEPS = int(os.environ.get("DEPPARSE_MORE_STEPS", "4000"))
# Wall-clock caps (minutes): a trainer stopped by its cap still ships its best dev model
# (the recipe's time on 2 cores: models/stanza/id/EVAL.md).
LIMITS = {
    "tokenize": float(os.environ.get("TOKENIZE_MAX_MIN", "25")),
    "tokenize_more": float(os.environ.get("TOKENIZE_MORE_MAX_MIN", "30")),
    "tokenize_gsd": float(os.environ.get("TOKENIZE_GSD_MAX_MIN", "30")),
    "mwt": float(os.environ.get("MWT_MAX_MIN", "8")),
    "lemma": float(os.environ.get("LEMMA_MAX_MIN", "30")),
    "pos": float(os.environ.get("POS_MAX_MIN", "30")),
    "pos2": float(os.environ.get("POS2_MAX_MIN", "55")),
    "pos_gsd": float(os.environ.get("POS_GSD_MAX_MIN", "30")),
    "depparse": float(os.environ.get("DEPPARSE_MAX_MIN", "40")),
    "depparse_more": float(os.environ.get("DEPPARSE_MORE_MAX_MIN", "150")),
}
_TIMES_LOCK = threading.Lock()

SHIPPED = {
    "tokenize": "tokenize.pt",
    "mwt": "mwt.pt",
    "lemma": "lemma.pt",
    "pos": "pos.pt",
    "depparse": "depparse.pt",
}


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        OMP_NUM_THREADS=os.environ.get("TRAIN_THREADS", "1"),
        MKL_NUM_THREADS=os.environ.get("TRAIN_THREADS", "1"),
        DATA_ROOT=str(BUILD / "data"),
        UDBASE=str(BUILD / "ud"),
        STANZA_RESOURCES_DIR=str(BUILD / "no_resources"),
        HF_HUB_OFFLINE="1",
    )
    return e


def ud_dir() -> Path:
    return Path(os.environ.get("UD_DIR", ROOT.parent / "shared" / "ud")).resolve()


def run(cmd: list[str], name: str, limit_min: float | None = None) -> float:
    """Run one Stanza command, logging to build/stanza/logs/<name>.log.

    With ``limit_min`` the trainer is stopped after that many minutes; Stanza's
    trainers save the best-so-far model at every dev evaluation, so the best
    checkpoint is what gets installed."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    print(f"[{time.strftime('%H:%M:%S')}] {name}: {' '.join(cmd)}", flush=True)
    t0 = time.time()
    with open(log, "a", encoding="utf-8") as fh:
        fh.write("$ " + " ".join(cmd) + "\n")
        fh.flush()
        proc = subprocess.Popen(cmd, cwd=BUILD, env=env(), stdout=fh, stderr=subprocess.STDOUT)
        try:
            rc = proc.wait(timeout=limit_min * 60 if limit_min else None)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
            fh.write(f"\n*** stopped after the {limit_min} min time limit ***\n")
            print(f"{name}: stopped at its {limit_min} min time limit", flush=True)
            rc = 0
        if rc != 0:
            raise subprocess.CalledProcessError(rc, cmd)
    dt = time.time() - t0
    with _TIMES_LOCK:
        times = LOGS / "walltimes.json"
        data = json.loads(times.read_text()) if times.exists() else {}
        data[name] = round(dt, 1)
        times.write_text(json.dumps(data, indent=1))
    print(f"[{time.strftime('%H:%M:%S')}] {name} done in {dt / 60:.1f} min", flush=True)
    return dt


LEGACY = Path("legacy") / "id_gsd-ud-train.v2.0.conllu"


def use_legacy() -> bool:
    """GSD train in its 2017 (UD 2.0) annotation: FORM, UPOS, HEAD, DEPREL only."""
    return os.environ.get("USE_LEGACY", "1") != "0" and (ud_dir() / LEGACY).exists()


def read_sents(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [s.strip("\n") + "\n" for s in text.split("\n\n") if s.strip()]


def blank_xpos(sent: str) -> str:
    out = []
    for line in sent.splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and not line.startswith("#") and "-" not in cols[0] and "." not in cols[0]:
            cols[4] = "_"
        out.append("\t".join(cols))
    return "\n".join(out) + "\n"


def blank_feats(sent: str) -> str:
    out = []
    for line in sent.splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and not line.startswith("#"):
            cols[5] = "_"
        out.append("\t".join(cols))
    return "\n".join(out) + "\n"


def blank_xpos_feats(sent: str) -> str:
    """Dev file for the tagger: with only UPOS left, Stanza scores (and selects) on UPOS."""
    out = []
    for line in blank_xpos(sent).splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and not line.startswith("#") and "-" not in cols[0] and "." not in cols[0]:
            cols[5] = "_"
        out.append("\t".join(cols))
    return "\n".join(out) + "\n"


def lower_lemmas(sent: str) -> str:
    """GSD lower-cases every lemma ("april", "summerton"); CSUI and PUD keep the
    case of proper nouns.  One convention (GSD's) for the lemmatizer."""
    out = []
    for line in sent.splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and not line.startswith("#"):
            cols[2] = cols[2].lower()
        out.append("\t".join(cols))
    return "\n".join(out) + "\n"


def _rows(sent: str) -> tuple[list[str], list[list[str]]]:
    comments = [line for line in sent.splitlines() if line.startswith("#")]
    rows = [line.split("\t") for line in sent.splitlines() if line and not line.startswith("#")]
    return comments, rows


def _renumber(comments: list[str], units: list[tuple[str | None, list[list[str]]]]) -> str:
    """CoNLL-U text of ``units`` = (MWT surface or None, words), words keeping
    their old ids in column 0 and old heads in column 6; ids and heads are
    renumbered, heads of removed words go to the first word of their unit."""
    new_id: dict[str, int] = {"0": 0}
    n = 0
    for _, words in units:
        for w in words:
            n += 1
            if w[0]:
                new_id[w[0]] = n
    lines = list(comments)
    n = 0
    for surface, words in units:
        if surface is not None:
            lines.append("\t".join([f"{n + 1}-{n + len(words)}", surface] + ["_"] * 8))
        first = n + 1
        for w in words:
            n += 1
            head = new_id.get(w[6], first) if w[6] != "_" else w[6]
            lines.append("\t".join([str(n), *w[1:6], str(head), *w[7:]]))
    return "\n".join(lines) + "\n"


def gsd_single_forms(gsd_dev: list[str]) -> set[str]:
    """Lower-cased forms that GSD dev writes as one word although they end in a
    clitic (lainnya, akhirnya, meskipun, walaupun, ...)."""
    forms = set()
    for sent in gsd_dev:
        for cols in _rows(sent)[1]:
            if cols[0].isdigit():
                forms.add(cols[1].lower())
    return forms


def gsd_mwt_splits(gsd_dev: list[str]) -> dict[str, list[str]]:
    """GSD dev's multi-word tokens: lower-cased surface -> lower-cased parts."""
    splits: dict[str, list[str]] = {}
    for sent in gsd_dev:
        rows = _rows(sent)[1]
        for i, cols in enumerate(rows):
            if "-" in cols[0]:
                a, b = map(int, cols[0].split("-"))
                splits[cols[1].lower()] = [r[1].lower() for r in rows[i + 1:i + 2 + b - a]]
    return splits


def unsplit_gsd_singles(sent: str, singles: set[str]) -> str:
    """CSUI/PUD split some forms that GSD keeps whole (lainnya, meskipun,
    walaupun, ...): join those multi-word tokens into one word, so that the
    tokenizer and the MWT model learn GSD's tokenisation."""
    comments, rows = _rows(sent)
    rows = [r for r in rows if "." not in r[0]]
    units: list[tuple[str | None, list[list[str]]]] = []
    redirect: dict[str, str] = {}
    i = 0
    while i < len(rows):
        cols = rows[i]
        if "-" in cols[0]:
            a, b = map(int, cols[0].split("-"))
            parts = rows[i + 1:i + 2 + b - a]
            if cols[1].lower() in singles:
                ids = {p[0] for p in parts}
                word = list(parts[0])
                head = word[6]
                while head in ids and head != word[0]:  # first part attached inside the token
                    head = next(p[6] for p in parts if p[0] == head)
                word[1], word[2], word[6] = cols[1], cols[1].lower(), head
                word[9] = cols[9]
                for p_ in parts[1:]:
                    redirect[p_[0]] = word[0]
                units.append((None, [word]))
            else:
                units.append((cols[1], parts))
            i += 2 + b - a
        else:
            units.append((None, [cols]))
            i += 1
    for _, words in units:
        for w in words:
            w[6] = redirect.get(w[6], w[6])
    return _renumber(comments, units)


LEGACY_SPLIT_UPOS = {"NOUN", "PROPN", "VERB", "PRON", "NUM"}


def legacy_with_mwt(sent: str, splits: dict[str, list[str]], singles: set[str]) -> str:
    """The 2017 GSD file has no multi-word tokens; today's GSD splits clitics
    (``ayahnya`` = ``ayah`` + ``nya``, ``apakah`` = ``apa`` + ``kah``).  For the
    tokenizer and MWT training, split (a) forms that GSD dev splits, the same
    way, and (b) ``-nya`` on nouns, proper nouns, verbs, pronouns and numerals
    (GSD dev: 170 of 186 split ``-nya`` have such a first part), unless GSD dev
    has the form as one word."""
    comments, rows = _rows(sent)
    units: list[tuple[str | None, list[list[str]]]] = []
    for cols in rows:
        if not cols[0].isdigit():
            continue
        form, low = cols[1], cols[1].lower()
        parts = splits.get(low)
        if parts is None and low.endswith("nya") and len(low) > 5 and low not in singles and \
                cols[3] in LEGACY_SPLIT_UPOS and low[-4] != "-":
            parts = [low[:-3], "nya"]
        if parts and "".join(parts) == low and len(parts) > 1:
            words, k = [], 0
            for j, part in enumerate(parts):
                piece = form[k:k + len(part)]
                k += len(part)
                if j == 0:
                    w = list(cols)
                    w[1] = piece
                    w[9] = "_"
                else:
                    w = ["", piece, "_", "PRON" if part in ("nya", "ku", "mu") else "PART", "_", "_",
                         cols[0], "nmod:poss" if part in ("nya", "ku", "mu") else "advmod", "_", "_"]
                words.append(w)
            words[-1][9] = cols[9]
            units.append((form, words))
        else:
            units.append((None, [cols]))
    out = _renumber(comments, units)
    # MISC (SpaceAfter=No) belongs on the token line for a multi-word token
    lines = out.splitlines()
    for i, line in enumerate(lines):
        cols = line.split("\t")
        if len(cols) == 10 and "-" in cols[0]:
            a, b = map(int, cols[0].split("-"))
            last = lines[i + 1 + b - a].split("\t")
            if last[9] != "_":
                cols[9], last[9] = last[9], "_"
                lines[i] = "\t".join(cols)
                lines[i + 1 + b - a] = "\t".join(last)
    return "\n".join(lines) + "\n"


def write(path: Path, sents: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(sents) + "\n", encoding="utf-8")


def prepare() -> None:
    ud = ud_dir()
    gsd_dev = read_sents(ud / "id_gsd-ud-dev.conllu")
    gsd_test = read_sents(ud / "id_gsd-ud-test.conllu")
    csui_train = read_sents(ud / "id_csui-ud-train.conllu")
    csui_test = read_sents(ud / "id_csui-ud-test.conllu")
    pud = read_sents(ud / "id_pud-ud-test.conllu")
    # tokenizer + MWT treebank (as in the first recipe)
    tb = BUILD / "ud" / TREEBANK
    write(tb / f"{SHORT}-ud-train.conllu", [lower_lemmas(x) for x in gsd_dev + csui_train + pud])
    write(tb / f"{SHORT}-ud-dev.conllu", [lower_lemmas(x) for x in csui_test])
    if use_legacy():
        # second tokenizer stage (tokenize_gsd): GSD's tokenisation and sentence
        # conventions.  (With GSD dev as the dev set instead, and out of training,
        # GSD test came out lower: EVAL.md.)
        singles, splits = gsd_single_forms(gsd_dev), gsd_mwt_splits(gsd_dev)
        gtb = BUILD / "ud" / TREEBANK_GSD
        write(gtb / f"{SHORT_GSD}-ud-train.conllu",
              gsd_dev + [unsplit_gsd_singles(x, singles) for x in csui_train + pud]
              + [legacy_with_mwt(x, splits, singles) for x in read_sents(ud / LEGACY)])
        write(gtb / f"{SHORT_GSD}-ud-dev.conllu", [unsplit_gsd_singles(x, singles) for x in csui_test])
        write(gtb / f"{SHORT_GSD}-ud-test.conllu", gsd_test)
    write(tb / f"{SHORT}-ud-test.conllu", gsd_test)
    # lemmatizer: GSD conventions weigh more (see lemma())
    lem = BUILD / "lemma"
    write(lem / "train.conllu", [lower_lemmas(x) for x in gsd_dev * LEMMA_GSD_WEIGHT + csui_train + pud])
    write(lem / "dev.conllu", [lower_lemmas(x) for x in csui_test])
    # per-treebank files for the tagger / parser, CSUI XPOS blanked (see docstring)
    tag = BUILD / "tagger"
    write(tag / "gsd_dev.conllu", gsd_dev)
    write(tag / "csui_train.conllu", [blank_xpos(s) for s in csui_train])
    write(tag / "pud_test.conllu", pud)
    write(tag / "dev.conllu", [blank_xpos(s) for s in csui_test])
    write(tag / "dev_upos.conllu", [blank_xpos_feats(s) for s in csui_test])
    write(tag / "train_all.conllu", gsd_dev + [blank_xpos(s) for s in csui_train] + pud)
    if use_legacy():
        # LEMMA and XPOS are "_" throughout and FEATS nearly so (only NumType=Card
        # on NUM): blank FEATS too, so that Stanza's tagger masks the XPOS and
        # FEATS losses for this file and learns only UPOS from it
        write(tag / "gsd_train_v2.conllu", [blank_feats(s) for s in read_sents(ud / LEGACY)])
    (BUILD / "no_resources").mkdir(parents=True, exist_ok=True)
    py = sys.executable
    for kind in ("tokenizer", "mwt"):
        run([py, "-m", f"stanza.utils.datasets.prepare_{kind}_treebank", TREEBANK], f"prepare_{kind}")
    if use_legacy():
        run([py, "-m", "stanza.utils.datasets.prepare_tokenizer_treebank", TREEBANK_GSD], "prepare_tokenizer_gsd")


def tokenize() -> None:
    run([sys.executable, "-m", "stanza.utils.training.run_tokenizer", TREEBANK, "--no_charlm",
         "--save_dir", str(SAVE / "tokenize"),
         "--steps", str(TOKENIZE_STEPS), "--eval_steps", "250"],
        "tokenize", LIMITS["tokenize"])


def best_dev(log: Path) -> float:
    scores = [float(line.split("Dev score:")[1].split()[0])
              for line in log.read_text(encoding="utf-8").splitlines() if "Dev score:" in line]
    return max(scores) if scores else -1.0


# Stanza 1.15's tokenizer --load_name path is broken: Trainer.load() is called
# without its arguments, the char vocab comes from the new data, and the
# optimizer keeps pointing at the parameters of the model that load() replaced
# (so nothing trains).  This wrapper fixes all three.
TOK_CONTINUE = """
import sys
import torch
import stanza.models.tokenizer as tk
from stanza.models.common import utils
from stanza.models.tokenization import trainer as T
from stanza.models.tokenization.vocab import Vocab
start = sys.argv[1]
vocab = Vocab.load_state_dict(torch.load(start, lambda s, l: s, weights_only=True)['vocab'])
_DL = tk.DataLoader
tk.DataLoader = lambda args, input_files=None, vocab_=None, **kw: _DL(args, input_files=input_files, vocab=vocab, **kw)
_load = T.Trainer.load
def load(self, filename, args=None, foundation_cache=None):
    _load(self, filename, args, foundation_cache)
    self.optimizer = utils.get_optimizer('adam', self.model, lr=self.args['lr0'], betas=(.9, .9),
                                         weight_decay=self.args['weight_decay'])
T.Trainer.load = load
tk.main(sys.argv[2:])
"""


def continue_tokenizer(name: str, start: Path, short: str, steps: int, eval_steps: int) -> Path:
    """Continue a trained tokenizer on the data of ``short`` at half the
    learning rate; Stanza keeps the checkpoint with the best dev score."""
    data = BUILD / "data" / "tokenize"
    save = SAVE / name
    save.mkdir(parents=True, exist_ok=True)
    shutil.copy2(start, save / "start.pt")
    run([sys.executable, "-c", TOK_CONTINUE, str(save / "start.pt"), "--mode", "train",
         "--label_file", str(data / f"{short}-ud-train.toklabels"), "--txt_file", str(data / f"{short}.train.txt"),
         "--lang", "id", "--max_seqlen", "500", "--mwt_json_file", str(data / f"{short}-ud-dev-mwt.json"),
         "--dev_txt_file", str(data / f"{short}.dev.txt"), "--dev_label_file", str(data / f"{short}-ud-dev.toklabels"),
         "--dev_conll_gold", str(data / f"{short}.dev.gold.conllu"), "--shorthand", short,
         "--steps", str(steps), "--eval_steps", str(eval_steps), "--lr0", "0.001",
         "--save_dir", str(save), "--load_name", "start.pt", "--save_name", "continued.pt"],
        name, LIMITS[name])
    return save / "continued.pt"


def tokenize_more() -> None:
    """Continue the tokenizer for TOKENIZE_MORE_STEPS at half the learning rate
    (its dev score was still rising at the end of `tokenize`), and keep the
    continued model only when its best dev score (CSUI test) is higher."""
    first = find_model("tokenize")
    if first is None:
        raise SystemExit("tokenize_more: train `tokenize` first")
    out = continue_tokenizer("tokenize_more", first, SHORT, TOKENIZE_MORE_STEPS, 250)
    before, after = best_dev(LOGS / "tokenize.log"), best_dev(LOGS / "tokenize_more.log")
    print(f"tokenize_more: best dev {before:.3f} -> {after:.3f}", flush=True)
    if after > before and out.exists():
        shutil.copy2(out, MODEL_DIR / SHIPPED["tokenize"])
        print("tokenize_more: installed the continued tokenizer", flush=True)


def tokenize_gsd() -> None:
    """Second tokenizer stage: continue the `tokenize` model for
    TOKENIZE_GSD_STEPS on the GSD-convention data (GSD dev, CSUI/PUD with GSD's
    single words, the 2017 GSD train with GSD's clitic splits), dev = CSUI
    test with GSD's single words."""
    first = find_model("tokenize")
    if first is None:
        raise SystemExit("tokenize_gsd: train `tokenize` first")
    if not (BUILD / "data" / "tokenize" / f"{SHORT_GSD}.train.txt").exists():
        print("tokenize_gsd: no GSD-convention data (legacy file missing); skipped", flush=True)
        return
    continue_tokenizer("tokenize_gsd", first, SHORT_GSD, TOKENIZE_GSD_STEPS, 100)


def mwt() -> None:
    run([sys.executable, "-m", "stanza.utils.training.run_mwt", TREEBANK,
         "--save_dir", str(SAVE / "mwt"), "--num_epoch", str(MWT_EPOCHS)], "mwt", LIMITS["mwt"])


def lemma() -> None:
    """Stanza's lemmatizer (dictionary + seq2seq with edit classifier), then its
    dictionary rebuilt by ``lemma_dictionary``.  The seq2seq part sees GSD dev
    LEMMA_GSD_WEIGHT times; dev (model selection) is CSUI test."""
    lem = BUILD / "lemma"
    run([sys.executable, "-m", "stanza.models.lemmatizer", "--mode", "train", "--shorthand", SHORT,
         "--train_file", str(lem / "train.conllu"), "--eval_file", str(lem / "dev.conllu"),
         "--output_file", str(BUILD / "lemma_dev.pred.conllu"),
         "--save_dir", str(SAVE / "lemma"), "--save_name", "id_argmap_nocharlm_lemmatizer.pt",
         "--num_epoch", str(LEMMA_EPOCHS)], "lemma", LIMITS["lemma"])
    model = SAVE / "lemma" / "id_argmap_nocharlm_lemmatizer.pt"
    if model.exists():
        lemma_dictionary(model)


def conllu_triples(path: Path) -> list[tuple[str, str, str]]:
    """(form, UPOS, lower-cased lemma) of every syntactic word."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) == 10 and cols[0].isdigit():
            out.append((cols[1], cols[3], cols[2].lower()))
    return out


def lookup_table() -> dict[str, str]:
    """The Indonesian lemma lookup table of the ``spacy-lookups-data`` package
    (MIT licence), downloaded from PyPI with pip at training time into
    STANZA_WORK/pkgs and read from the wheel; never copied into the repository.
    Empty (with a message) when LEMMA_LOOKUP=0 or the download fails."""
    if os.environ.get("LEMMA_LOOKUP", "1") == "0":
        return {}
    dest = BUILD / "pkgs"
    wheels = sorted(dest.glob("spacy_lookups_data-*.whl"))
    if not wheels:
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                               "-d", str(dest), SPACY_LOOKUPS], check=False)
        wheels = sorted(dest.glob("spacy_lookups_data-*.whl"))
        if proc.returncode != 0 or not wheels:
            print(f"lemma: could not download {SPACY_LOOKUPS}; dictionary without the lookup table", flush=True)
            return {}
    with zipfile.ZipFile(wheels[-1]) as z:
        return json.loads(gzip.decompress(z.read("spacy_lookups_data/data/id_lemma_lookup.json.gz")))


def lemma_dictionary(model: Path) -> None:
    """Rebuild the dictionary of a trained lemma model, in order of priority:
    GSD dev (GSD's lemma conventions: ``nya`` -> ``dia``, ``sebagai`` stays
    ``sebagai``, where CSUI/PUD differ), then CSUI train + PUD, then, for words
    in none of them, the spaCy lookup table.  Words in the dictionary skip the
    seq2seq model (Stanza looks up (word, UPOS), then the word)."""
    from stanza.models.lemma.trainer import Trainer

    ud = ud_dir()
    data = conllu_triples(ud / "id_gsd-ud-dev.conllu") * 1000
    data += conllu_triples(ud / "id_csui-ud-train.conllu") + conllu_triples(ud / "id_pud-ud-test.conllu")
    known = {w for w, _, _ in data}
    table = lookup_table()
    data += [(w, "_", lem.lower()) for w, lem in table.items() if w not in known]
    trainer = Trainer(model_file=str(model), device="cpu")
    trainer.pos_dict = {}
    trainer.train_dict(data)
    trainer.save(str(model))
    print(f"lemma: dictionary rebuilt, GSD dev first, {len(table)} lookup entries", flush=True)


def pos(name: str = "pos") -> None:
    tag = BUILD / "tagger"
    files = ["gsd_dev.conllu", "csui_train.conllu", "pud_test.conllu"]
    if use_legacy() and (tag / "gsd_train_v2.conllu").exists():
        files.append("gsd_train_v2.conllu")
    train = ";".join(str(tag / f) for f in files)
    run([sys.executable, "-m", "stanza.models.tagger", "--mode", "train", "--lang", "id",
         "--shorthand", SHORT, "--train_file", train,
         "--eval_file", str(tag / "dev_upos.conllu"), "--output_file", str(BUILD / f"{name}_dev.pred.conllu"),
         "--no_pretrain", "--save_dir", str(SAVE / name), "--save_name", "id_argmap_nocharlm_tagger.pt",
         "--batch_size", "32", "--char_hidden_dim", "200", "--hidden_dim", "200",
         "--max_steps", str(POS_STEPS), "--eval_interval", "100"], name, LIMITS[name])


def tagger_best_dev(log: Path) -> float:
    scores = [float(line.rsplit("dev_score = ", 1)[1].split()[0])
              for line in log.read_text(encoding="utf-8").splitlines() if "dev_score = " in line]
    return max(scores) if scores else -1.0


def pos2() -> None:
    """A second tagger run with a longer time cap, on the lane that is free once
    lemma is done; it replaces the first tagger only if its dev UPOS is higher."""
    pos("pos2")
    before, after = tagger_best_dev(LOGS / "pos.log"), tagger_best_dev(LOGS / "pos2.log")
    print(f"pos2: best dev UPOS {before:.4f} -> {after:.4f}", flush=True)
    # `install` ships the better of the two (or the pos_gsd continuation)


# Stanza's tagger cannot continue a saved model: this wrapper loads START and
# keeps its vocabularies (new words map to UNK in the word embedding; the
# character model still reads them).
POS_CONTINUE = """
import sys
import stanza.models.tagger as tg
from stanza.models.pos.data import Dataset
from stanza.models.pos.trainer import Trainer
start = sys.argv[1]
vocab = Trainer(model_file=start, device='cpu').vocab
Dataset.init_vocab = staticmethod(lambda docs, args, tag_columns=None: vocab)
tg.Trainer = lambda args=None, vocab=None, pretrain=None, device=None, foundation_cache=None, model_file=None: \
    Trainer(args=args, pretrain=pretrain, model_file=model_file or start, device=device,
            foundation_cache=foundation_cache)
tg.main(sys.argv[2:])
"""


def pos_gsd() -> None:
    """Continue the best tagger of `pos`/`pos2` with the 2017 GSD train file
    added (UPOS only: its XPOS and FEATS are blank, so those losses are
    masked), POS_GSD_STEPS at lr 0.001, dev = CSUI test UPOS.  A from-scratch
    run on the same four files was far behind after its time cap (EVAL.md)."""
    tag = BUILD / "tagger"
    if not (tag / "gsd_train_v2.conllu").exists():
        print("pos_gsd: no legacy GSD train file; skipped", flush=True)
        return
    start = find_model("pos")
    if (LOGS / "pos2.log").exists() and tagger_best_dev(LOGS / "pos2.log") > tagger_best_dev(LOGS / "pos.log"):
        start = find_model("pos2")
    if start is None:
        raise SystemExit("pos_gsd: train `pos` first")
    save = SAVE / "pos_gsd"
    save.mkdir(parents=True, exist_ok=True)
    shutil.copy2(start, save / "start.pt")
    train = ";".join(str(tag / f) for f in ("gsd_dev.conllu", "csui_train.conllu", "pud_test.conllu",
                                             "gsd_train_v2.conllu"))
    run([sys.executable, "-c", POS_CONTINUE, str(save / "start.pt"), "--mode", "train", "--lang", "id",
         "--shorthand", SHORT, "--train_file", train,
         "--eval_file", str(tag / "dev_upos.conllu"), "--output_file", str(BUILD / "pos_gsd_dev.pred.conllu"),
         "--no_pretrain", "--save_dir", str(save), "--save_name", "continued.pt",
         "--batch_size", "32", "--char_hidden_dim", "200", "--hidden_dim", "200", "--lr", "0.001",
         "--max_steps", str(POS_GSD_STEPS), "--eval_interval", "100"], "pos_gsd", LIMITS["pos_gsd"])


def depparse() -> None:
    tag = BUILD / "tagger"
    run([sys.executable, "-m", "stanza.models.parser", "--mode", "train", "--lang", "id",
         "--shorthand", SHORT, "--train_file", str(tag / "train_all.conllu"),
         "--eval_file", str(tag / "dev.conllu"), "--output_file", str(BUILD / "depparse_dev.pred.conllu"),
         "--no_pretrain", "--save_dir", str(SAVE / "depparse"),
         "--save_name", "id_argmap_nocharlm_parser.pt",
         "--batch_size", "1500", "--hidden_dim", "200", "--char_hidden_dim", "100",
         "--deep_biaff_hidden_dim", "200", "--num_layers", "2",
         "--max_steps", str(DEPPARSE_STEPS), "--eval_interval", "100"], "depparse", LIMITS["depparse"])


# Stanza's parser builds its vocabularies from the new training data even with
# --continue_from (and when it resumes a checkpoint), so words new to the loaded
# model index past its embeddings; this wrapper keeps the loaded model's
# vocabularies (new words map to UNK; the character model still reads them).
PARSER_CONTINUE = """
import sys
import torch
import stanza.models.parser as ps
from stanza.models.depparse.data import Dataset
from stanza.models.pos.vocab import MultiVocab
saved = torch.load(sys.argv[1], map_location='cpu', weights_only=False)
vocab = MultiVocab.load_state_dict(saved['vocab'])
Dataset.init_vocab = lambda self, data: vocab
ps.main(sys.argv[2:])
"""


def retag(sents: list[str], model_dir: Path) -> list[str]:
    """The sentences with LEMMA, UPOS, XPOS and FEATS predicted by the models in
    MODEL_DIR from the gold words, HEAD and DEPREL kept: the parser then learns
    from the tags it is given at run time (and the 2017 file, which has no
    lemmas, XPOS or features, gets them)."""
    import stanza

    nlp = stanza.Pipeline("id", dir=str(model_dir), resources_filepath=str(model_dir / "resources.json"),
                          processors={"tokenize": "argmap", "pos": "argmap", "lemma": "argmap"},
                          tokenize_pretokenized=True, download_method=None, logging_level="WARN",
                          tokenize_model_path=str(model_dir / "tokenize.pt"),
                          pos_model_path=str(model_dir / "pos.pt"), pos_pretrain_path=None,
                          lemma_model_path=str(model_dir / "lemma.pt"))
    rows = [[r for r in _rows(s)[1] if r[0].isdigit()] for s in sents]
    tagged = nlp([[r[1] for r in word_rows] for word_rows in rows]).sentences
    out = []
    for sent, word_rows, pred in zip(sents, rows, tagged):
        by_id = {r[0]: w for r, w in zip(word_rows, pred.words)}
        lines = []
        for line in sent.split("\n"):
            cols = line.split("\t")
            if len(cols) == 10 and cols[0] in by_id:
                w = by_id[cols[0]]
                cols[2:6] = [(w.lemma or "_").lower(), w.upos or "_", w.xpos or "_", w.feats or "_"]
            lines.append("\t".join(cols))
        out.append("\n".join(lines))
    return out


def depparse_more() -> None:
    """Continue the `depparse` step's parser (else the shipped one) for DEPPARSE_MORE_STEPS on
    its own training files (gold tags; dev = CSUI test): the recipe's 700 steps stop while
    the dev score still climbs (its best, 0.800, came 4,000 steps later).  Stanza's parser
    keeps a checkpoint with its optimizer in STANZA_WORK, so a stopped run resumes where it
    was when this step runs again.

    Tried in issue 15 and kept out of the default (models/stanza/id/EVAL.md, runs 12-13):
    PARSER_LEGACY=1 adds the 2017 GSD train file, PARSER_RETAG=1 trains on tags and lemmas
    predicted by the shipped tagger and lemmatizer (``retag``) instead of the gold ones;
    both lowered LAS on GSD test."""
    ud = ud_dir()
    legacy = use_legacy() and os.environ.get("PARSER_LEGACY", "0") != "0"
    save = SAVE / "depparse_more"
    save.mkdir(parents=True, exist_ok=True)
    if os.environ.get("PARSER_RETAG", "0") != "0":
        data = BUILD / "parser"
        train, dev = data / "train_retagged.conllu", data / "dev_retagged.conllu"
        if not (train.exists() and dev.exists()):
            sents = [*read_sents(ud / "id_gsd-ud-dev.conllu"), *read_sents(ud / "id_csui-ud-train.conllu"),
                     *read_sents(ud / "id_pud-ud-test.conllu"),
                     # 2017 reduplication ("kota - kota", compound:plur) is one word today
                     *(x for x in (read_sents(ud / LEGACY) if legacy else []) if "\tcompound:plur\t" not in x)]
            write(train, retag(sents, MODEL_DIR))
            write(dev, retag(read_sents(ud / "id_csui-ud-test.conllu"), MODEL_DIR))
    else:
        tag = BUILD / "tagger"
        train, dev = tag / "train_all.conllu", tag / "dev.conllu"
        if legacy:
            train = tag / "train_all_legacy.conllu"
            write(train, read_sents(tag / "train_all.conllu")
                  + [x for x in read_sents(ud / LEGACY) if "\tcompound:plur\t" not in x])
    start = save / "start.pt"
    if not start.exists():
        shutil.copy2(find_model("depparse") or MODEL_DIR / SHIPPED["depparse"], start)
    run([sys.executable, "-c", PARSER_CONTINUE, str(start), "--mode", "train", "--lang", "id",
         "--shorthand", SHORT, "--train_file", str(train),
         "--eval_file", str(dev), "--output_file", str(BUILD / "depparse_more_dev.pred.conllu"),
         "--no_pretrain", "--save_dir", str(save), "--save_name", "continued.pt",
         "--continue_from", str(start),
         "--batch_size", "1500", "--hidden_dim", "200", "--char_hidden_dim", "100",
         "--deep_biaff_hidden_dim", "200", "--num_layers", "2",
         "--max_steps", str(DEPPARSE_MORE_STEPS), "--eval_interval", "100"], "depparse_more",
        LIMITS["depparse_more"])


def find_model(kind: str) -> Path | None:
    cands = sorted((SAVE / kind).glob("*.pt")) if (SAVE / kind).exists() else []
    cands = [c for c in cands if "checkpoint" not in c.name]
    return cands[0] if cands else None


def install(kinds: list[str] | None = None) -> None:
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    for kind in kinds or list(SHIPPED):
        src = find_model(kind)
        if kind == "tokenize" and (SAVE / "tokenize_gsd" / "continued.pt").exists():
            src = SAVE / "tokenize_gsd" / "continued.pt"
        if kind == "pos" and (LOGS / "pos2.log").exists() and (
                tagger_best_dev(LOGS / "pos2.log") > tagger_best_dev(LOGS / "pos.log")):
            src = find_model("pos2")
        if kind == "depparse" and (SAVE / "depparse_more" / "continued.pt").exists():
            src = SAVE / "depparse_more" / "continued.pt"
        if kind == "pos" and (SAVE / "pos_gsd" / "continued.pt").exists():
            src = SAVE / "pos_gsd" / "continued.pt"
        if src is None:
            print(f"install: no trained {kind} model yet", flush=True)
            continue
        shutil.copy2(src, MODEL_DIR / SHIPPED[kind])
        print(f"install: {src} -> {MODEL_DIR / SHIPPED[kind]}", flush=True)
    times = LOGS / "walltimes.json"
    if times.exists():
        shutil.copy2(times, MODEL_DIR / "walltimes.json")


METRICS = ("Tokens", "Sentences", "Words", "UPOS", "XPOS", "UFeats", "AllTags", "Lemmas", "UAS", "LAS")
OFFICIAL = dict(zip(METRICS, (99.88, 93.04, 99.64, 94.16, 94.69, 95.58, 89.38, 98.28, 87.05, 80.83)))
TARGETS = {"Tokens": 99.7, "Sentences": 93.0, "UPOS": 93.0, "Lemmas": 97.0, "LAS": 76.0}


def to_conllu(raw: str, sentences: list) -> str:
    """CoNLL-U of ``pipeline.nlp.analyze_text`` output; words that share one
    character span are the parts of a multi-word token."""
    out = []
    for sent in sentences:
        heads = [t.head for t in sent]
        if not any(t.deprel for t in sent):  # no depparse: a flat chain keeps the scorer happy
            heads = [0] + [1] * (len(sent) - 1)
        roots = [i for i, h in enumerate(heads) if h == 0]
        for i in roots[1:]:
            heads[i] = roots[0] + 1
        lines = []
        k = 0
        while k < len(sent):
            j = k
            while j + 1 < len(sent) and (sent[j + 1].start, sent[j + 1].end) == (sent[k].start, sent[k].end):
                j += 1
            if j > k:
                lines.append(f"{k + 1}-{j + 1}\t{raw[sent[k].start:sent[k].end]}" + "\t_" * 8)
            for idx in range(k + 1, j + 2):
                t = sent[idx - 1]
                lines.append("\t".join([str(idx), t.text, t.lemma or "_", t.upos or "_", t.xpos or "_",
                                        t.feats or "_", str(heads[idx - 1]), t.deprel or "_", "_", "_"]))
            k = j + 1
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n\n"


def evaluate(model_dir: Path = MODEL_DIR) -> dict[str, float]:
    """CoNLL 2018 scores of the shipped models (or of a candidate folder in the
    same layout) on GSD test, from raw text; writes eval.json into that folder."""
    sys.path.insert(0, str(ROOT))
    from stanza.models.common.utils import ud_scores

    from pipeline import nlp

    gold = ud_dir() / "id_gsd-ud-test.conllu"
    texts = [line[len("# text = "):] for line in gold.read_text(encoding="utf-8").splitlines()
             if line.startswith("# text = ")]
    raw = " ".join(texts)
    procs = tuple(p for p in nlp.ALL_PROCESSORS if p in nlp.available_models(model_dir))
    pipe = nlp.load_pipeline(nlp.NLPConfig(processors=procs, model_dir=model_dir))
    t0 = time.time()
    doc = pipe(raw)
    seconds = time.time() - t0
    tag = "" if model_dir == MODEL_DIR else f"{model_dir.name}."
    out = BUILD / "eval" / f"gsd_test.{tag}pred.conllu"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(format(doc, "C") + "\n\n", encoding="utf-8")
    scores = ud_scores(str(gold), str(out))
    result = {m: round(scores[m].f1 * 100, 2) for m in METRICS}
    print(f"processors: {','.join(procs)}; {seconds:.0f} s for {len(raw)} characters")
    repaired = BUILD / "eval" / f"gsd_test.{tag}repaired.conllu"
    repaired.write_text(to_conllu(raw, nlp.analyze_text(raw, nlp.NLPConfig(processors=procs, model_dir=model_dir))),
                        encoding="utf-8")
    scores_r = ud_scores(str(gold), str(repaired))
    result_r = {m: round(scores_r[m].f1 * 100, 2) for m in METRICS}
    print(f"{'metric':<10}{'stanza':>8}{'+repairs':>10}{'official':>10}{'target':>8}")
    for m in METRICS:
        target = TARGETS.get(m)
        mark = "" if target is None else ("  ok" if result[m] >= target else f"  missed by {target - result[m]:.2f}")
        print(f"{m:<10}{result[m]:>8.2f}{result_r[m]:>10.2f}{OFFICIAL[m]:>10.2f}{(target or 0):>8.1f}{mark}")
    (model_dir / "eval.json").write_text(json.dumps(
        {"processors": procs, "scores": result, "scores_with_repairs": result_r}, indent=1) + "\n")
    return result


STEPS = {"tokenize": tokenize, "tokenize_more": tokenize_more, "tokenize_gsd": tokenize_gsd, "mwt": mwt, "lemma": lemma, "pos": pos, "pos2": pos2,
         "pos_gsd": pos_gsd, "depparse": depparse, "depparse_more": depparse_more}


# continuation steps and the shipped model they replace
CONTINUES = {"tokenize_gsd": "tokenize", "pos_gsd": "pos", "pos2": "pos", "depparse_more": "depparse"}


def lane(names: list[str]) -> None:
    for name in names:
        STEPS[name]()
        if name in SHIPPED or name in CONTINUES:
            install([CONTINUES.get(name, name)])


def rest() -> None:
    """mwt -> lemma -> pos2 -> pos_gsd and pos -> depparse -> depparse_more as two lanes
    side by side (1 thread each).

    ``tokenize_more`` (continue the tokenizer, keep it if dev improves) is not
    in the default recipe: run it on its own when there is CPU time to spare."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(lane, ["mwt", "lemma", "pos2", "pos_gsd"]), pool.submit(lane, ["pos", "depparse", "depparse_more"])]
        for future in futures:
            future.result()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("steps", nargs="+", choices=["all", "prepare", "install", "eval", "rest", *STEPS])
    ap.add_argument("--models", type=Path, default=MODEL_DIR,
                    help="eval: the model folder to score (default: the shipped models)")
    ap.add_argument("--no-install", action="store_true",
                    help="train a candidate into STANZA_WORK only; do not copy it into models/stanza/id")
    args = ap.parse_args(argv)
    BUILD.mkdir(parents=True, exist_ok=True)
    steps = ["prepare", "tokenize", "tokenize_gsd", "rest"] if args.steps == ["all"] else args.steps
    for step in steps:
        if step == "prepare":
            prepare()
        elif step == "install":
            install()
        elif step == "eval":
            evaluate(args.models.resolve())
        elif step == "rest":
            rest()
        else:
            STEPS[step]()
            if not args.no_install and (step in SHIPPED or step in CONTINUES):
                install([CONTINUES.get(step, step)])


if __name__ == "__main__":
    main()
