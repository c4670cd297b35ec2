"""Train the project's offline Stanza Indonesian models from the UD treebanks.

Recipe (``make models``; UD_DIR defaults to ../shared/ud):

* Split.  train = GSD dev + CSUI train + PUD test; dev = CSUI test;
  test = GSD test, which is only ever used by ``eval`` (never trained or
  tuned on; Stanza's trainers only score against ``dev``).
* The three treebanks are written as one synthetic treebank
  ``UD_Indonesian-Argmap`` (short name ``id_argmap``) under
  ``build/stanza/ud`` and prepared with Stanza's own
  ``stanza.utils.datasets.prepare_*_treebank`` scripts; the models are
  trained with Stanza's own trainers (``stanza.utils.training.run_*`` for
  tokenize/mwt/lemma, ``stanza.models.tagger`` / ``stanza.models.parser``
  directly for pos/depparse because those need several training files).
* Nothing downloads: ``--no_charlm`` everywhere, no pretrained word vectors
  (``--no_pretrain``), ``download_method=None`` when evaluating.
* XPOS.  GSD uses its own tag set (NSD, VSA, Z--, ...), CSUI uses a
  Penn-style set (NN, VB, IN, ...) and PUD has no XPOS.  The shipped tagger
  predicts the GSD tag set only: the CSUI XPOS column is blanked before POS
  and depparse training, and the tagger is given one training file per
  treebank, so Stanza masks the XPOS loss for files without XPOS (UPOS and
  feats are learned from all three).  XPOS scores on GSD test therefore
  come from ~560 GSD dev sentences of XPOS supervision only.
* Threads.  Each trainer runs with 1 torch thread (TRAIN_THREADS); after the
  tokenizer, mwt -> lemma and pos -> depparse train as two lanes side by
  side, so the recipe uses the 2 cores without oversubscribing them (2 threads
  per trainer on a busy 2-core machine was ~10x slower per step).
* Every trainer has a wall-clock cap (``*_MAX_MIN``); Stanza saves the best
  dev model at each evaluation, so a capped trainer still ships its best.

Usage:
    python scripts/train_stanza.py all            # prepare, tokenize, then the two lanes of `rest`
    python scripts/train_stanza.py prepare|tokenize|mwt|lemma|pos|depparse|install
    python scripts/train_stanza.py eval           # CoNLL 2018 scores on GSD test (make eval-nlp)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Work folder for converted data, checkpoints and logs (outside git when set).
BUILD = Path(os.environ.get("STANZA_WORK", ROOT / "build" / "stanza")).resolve()
TREEBANK = "UD_Indonesian-Argmap"
SHORT = "id_argmap"
MODEL_DIR = ROOT / "models" / "stanza" / "id"
SAVE = BUILD / "saved_models"
LOGS = BUILD / "logs"

# Step budgets, chosen for ~100 minutes of wall time on a contended 2-core CPU.
TOKENIZE_STEPS = int(os.environ.get("TOKENIZE_STEPS", "2500"))
TOKENIZE_MORE_STEPS = int(os.environ.get("TOKENIZE_MORE_STEPS", "3000"))
MWT_EPOCHS = int(os.environ.get("MWT_EPOCHS", "15"))
LEMMA_EPOCHS = int(os.environ.get("LEMMA_EPOCHS", "12"))
POS_STEPS = int(os.environ.get("POS_STEPS", "1500"))
DEPPARSE_STEPS = int(os.environ.get("DEPPARSE_STEPS", "1500"))
# Wall-clock caps (minutes) so the whole chain fits ~100 minutes on 2 cores.
LIMITS = {
    "tokenize": float(os.environ.get("TOKENIZE_MAX_MIN", "25")),
    "tokenize_more": float(os.environ.get("TOKENIZE_MORE_MAX_MIN", "30")),
    "mwt": float(os.environ.get("MWT_MAX_MIN", "8")),
    "lemma": float(os.environ.get("LEMMA_MAX_MIN", "15")),
    "pos": float(os.environ.get("POS_MAX_MIN", "30")),
    "pos2": float(os.environ.get("POS2_MAX_MIN", "55")),
    "depparse": float(os.environ.get("DEPPARSE_MAX_MIN", "40")),
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
    tb = BUILD / "ud" / TREEBANK
    write(tb / f"{SHORT}-ud-train.conllu", [lower_lemmas(x) for x in gsd_dev + csui_train + pud])
    write(tb / f"{SHORT}-ud-dev.conllu", [lower_lemmas(x) for x in csui_test])
    write(tb / f"{SHORT}-ud-test.conllu", gsd_test)
    # per-treebank files for the tagger / parser, CSUI XPOS blanked (see docstring)
    tag = BUILD / "tagger"
    write(tag / "gsd_dev.conllu", gsd_dev)
    write(tag / "csui_train.conllu", [blank_xpos(s) for s in csui_train])
    write(tag / "pud_test.conllu", pud)
    write(tag / "dev.conllu", [blank_xpos(s) for s in csui_test])
    write(tag / "dev_upos.conllu", [blank_xpos_feats(s) for s in csui_test])
    write(tag / "train_all.conllu", gsd_dev + [blank_xpos(s) for s in csui_train] + pud)
    if use_legacy():
        # LEMMA, XPOS and FEATS are "_" throughout: Stanza's tagger then masks those
        # losses for this file and learns only UPOS from it
        write(tag / "gsd_train_v2.conllu", read_sents(ud / LEGACY))
    (BUILD / "no_resources").mkdir(parents=True, exist_ok=True)
    py = sys.executable
    for kind, extra in (("tokenizer", []), ("mwt", []), ("lemma", ["--no_lemma_classifier", "--gold"])):
        run([py, "-m", f"stanza.utils.datasets.prepare_{kind}_treebank", TREEBANK, *extra], f"prepare_{kind}")


def tokenize() -> None:
    run([sys.executable, "-m", "stanza.utils.training.run_tokenizer", TREEBANK, "--no_charlm",
         "--save_dir", str(SAVE / "tokenize"),
         "--steps", str(TOKENIZE_STEPS), "--eval_steps", "250"],
        "tokenize", LIMITS["tokenize"])


def best_dev(log: Path) -> float:
    scores = [float(line.split("Dev score:")[1].split()[0])
              for line in log.read_text(encoding="utf-8").splitlines() if "Dev score:" in line]
    return max(scores) if scores else -1.0


def tokenize_more() -> None:
    """Continue the tokenizer for TOKENIZE_MORE_STEPS at half the learning rate
    (its dev score was still rising at the end of `tokenize`), and keep the
    continued model only when its best dev score (CSUI test) is higher."""
    data = BUILD / "data" / "tokenize"
    first = find_model("tokenize")
    if first is None:
        raise SystemExit("tokenize_more: train `tokenize` first")
    save = SAVE / "tokenize_more"
    save.mkdir(parents=True, exist_ok=True)
    shutil.copy2(first, save / "start.pt")
    run([sys.executable, "-m", "stanza.models.tokenizer", "--mode", "train",
         "--label_file", str(data / f"{SHORT}-ud-train.toklabels"), "--txt_file", str(data / f"{SHORT}.train.txt"),
         "--lang", "id", "--max_seqlen", "500", "--mwt_json_file", str(data / f"{SHORT}-ud-dev-mwt.json"),
         "--dev_txt_file", str(data / f"{SHORT}.dev.txt"), "--dev_label_file", str(data / f"{SHORT}-ud-dev.toklabels"),
         "--dev_conll_gold", str(data / f"{SHORT}.dev.gold.conllu"), "--shorthand", SHORT,
         "--steps", str(TOKENIZE_MORE_STEPS), "--eval_steps", "250", "--lr0", "0.001",
         "--save_dir", str(save), "--load_name", "start.pt", "--save_name", "continued.pt"],
        "tokenize_more", LIMITS["tokenize_more"])
    before, after = best_dev(LOGS / "tokenize.log"), best_dev(LOGS / "tokenize_more.log")
    print(f"tokenize_more: best dev {before:.3f} -> {after:.3f}", flush=True)
    if after > before and (save / "continued.pt").exists():
        shutil.copy2(save / "continued.pt", MODEL_DIR / SHIPPED["tokenize"])
        print("tokenize_more: installed the continued tokenizer", flush=True)


def mwt() -> None:
    run([sys.executable, "-m", "stanza.utils.training.run_mwt", TREEBANK,
         "--save_dir", str(SAVE / "mwt"), "--num_epoch", str(MWT_EPOCHS)], "mwt", LIMITS["mwt"])


def lemma() -> None:
    run([sys.executable, "-m", "stanza.utils.training.run_lemma", TREEBANK, "--no_charlm",
         "--no_lemma_classifier", "--save_dir", str(SAVE / "lemma"), "--num_epoch", str(LEMMA_EPOCHS)], "lemma", LIMITS["lemma"])


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
    src = SAVE / "pos2" / "id_argmap_nocharlm_tagger.pt"
    if after > before and src.exists():
        shutil.copy2(src, MODEL_DIR / SHIPPED["pos"])
        print("pos2: installed the second tagger", flush=True)


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


def find_model(kind: str) -> Path | None:
    cands = sorted((SAVE / kind).glob("*.pt")) if (SAVE / kind).exists() else []
    cands = [c for c in cands if "checkpoint" not in c.name]
    return cands[0] if cands else None


def install(kinds: list[str] | None = None) -> None:
    MODEL_DIR.mkdir(parents=True, exist_ok=True)
    for kind in kinds or list(SHIPPED):
        src = find_model(kind)
        if kind == "pos" and (LOGS / "pos2.log").exists() and (
                tagger_best_dev(LOGS / "pos2.log") > tagger_best_dev(LOGS / "pos.log")):
            src = find_model("pos2")
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


def evaluate() -> dict[str, float]:
    """CoNLL 2018 scores of the shipped models on GSD test, from raw text."""
    sys.path.insert(0, str(ROOT))
    from stanza.models.common.utils import ud_scores

    from pipeline import nlp

    gold = ud_dir() / "id_gsd-ud-test.conllu"
    texts = [line[len("# text = "):] for line in gold.read_text(encoding="utf-8").splitlines()
             if line.startswith("# text = ")]
    raw = " ".join(texts)
    procs = tuple(p for p in nlp.ALL_PROCESSORS if p in nlp.available_models(MODEL_DIR))
    pipe = nlp.load_pipeline(nlp.NLPConfig(processors=procs, model_dir=MODEL_DIR))
    t0 = time.time()
    doc = pipe(raw)
    seconds = time.time() - t0
    out = BUILD / "eval" / "gsd_test.pred.conllu"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(format(doc, "C") + "\n\n", encoding="utf-8")
    scores = ud_scores(str(gold), str(out))
    result = {m: round(scores[m].f1 * 100, 2) for m in METRICS}
    print(f"processors: {','.join(procs)}; {seconds:.0f} s for {len(raw)} characters")
    repaired = BUILD / "eval" / "gsd_test.repaired.conllu"
    repaired.write_text(to_conllu(raw, nlp.analyze_text(raw, nlp.NLPConfig(processors=procs, model_dir=MODEL_DIR))),
                        encoding="utf-8")
    scores_r = ud_scores(str(gold), str(repaired))
    result_r = {m: round(scores_r[m].f1 * 100, 2) for m in METRICS}
    print(f"{'metric':<10}{'stanza':>8}{'+repairs':>10}{'official':>10}{'target':>8}")
    for m in METRICS:
        target = TARGETS.get(m)
        mark = "" if target is None else ("  ok" if result[m] >= target else f"  missed by {target - result[m]:.2f}")
        print(f"{m:<10}{result[m]:>8.2f}{result_r[m]:>10.2f}{OFFICIAL[m]:>10.2f}{(target or 0):>8.1f}{mark}")
    (MODEL_DIR / "eval.json").write_text(json.dumps(
        {"processors": procs, "scores": result, "scores_with_repairs": result_r}, indent=1) + "\n")
    return result


STEPS = {"tokenize": tokenize, "tokenize_more": tokenize_more, "mwt": mwt, "lemma": lemma, "pos": pos, "pos2": pos2, "depparse": depparse}


def lane(names: list[str]) -> None:
    for name in names:
        STEPS[name]()
        if name in SHIPPED:
            install([name])


def rest() -> None:
    """mwt -> lemma -> pos2 and pos -> depparse as two lanes side by side (1 thread each).

    ``tokenize_more`` (continue the tokenizer, keep it if dev improves) is not
    in the default recipe: run it on its own when there is CPU time to spare."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(lane, ["mwt", "lemma", "pos2"]), pool.submit(lane, ["pos", "depparse"])]
        for future in futures:
            future.result()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("steps", nargs="+", choices=["all", "prepare", "install", "eval", "rest", *STEPS])
    ap.add_argument("--no-install", action="store_true",
                    help="train a candidate into STANZA_WORK only; do not copy it into models/stanza/id")
    args = ap.parse_args(argv)
    BUILD.mkdir(parents=True, exist_ok=True)
    steps = ["prepare", "tokenize", "rest"] if args.steps == ["all"] else args.steps
    for step in steps:
        if step == "prepare":
            prepare()
        elif step == "install":
            install()
        elif step == "eval":
            evaluate()
        elif step == "rest":
            rest()
        else:
            STEPS[step]()
            if step in SHIPPED and not args.no_install:
                install([step])


if __name__ == "__main__":
    main()
