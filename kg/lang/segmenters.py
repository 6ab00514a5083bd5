"""Word segmenters' models: pkuseg's CTB8 news model fetched, converted for spacy-pkuseg, checked.

spacy-pkuseg downloads its own models at run time, which fails offline. The `pkuseg` 0.0.12
wheel on the package registry (MIT) ships a CTB8 news model in pkuseg's older text format;
`install_pkuseg` fetches that wheel with pip into the user cache, converts the model to the
files spacy-pkuseg loads (features.msgpack, weights.npz) and checks the conversion by
segmenting a sample with the original pkuseg code and with spacy-pkuseg: they must agree on
every word. After that everything runs offline.

The old format, as pkuseg 0.0.12 reads it (pkuseg/__init__.py, data_format.py, model.py):
  featureIndex.txt_0..9  "POS.FEATURE INDEX" — POS is the template's slot in the node feature
                         list (1 = "$$", 2 = "c.X" …); spacy-pkuseg keys features by FEATURE
                         alone, which is lossless when no FEATURE has two slots (checked).
  featureSet.txt_0..9    the FEATURE strings the original uses at all (it drops the others).
  unigram_word.txt, bigram_word.txt   the training lexicon (word features), one a line.
  tagIndex.txt           "TAG INDEX" for B, B_single, I, I_end, I_first.
  model.txt              NTAG, WSIZE, then WSIZE weights: node weights FEATURE*NTAG + TAG,
                         then NTAG*NTAG transition weights; the original's loader reads only
                         the first WSIZE-2 of them (the last two stay 0), and so does this.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from kg.errors import KgError

SEGMENTERS = ("jieba", "pkuseg")
# what the numbers favour (docs/segmenters.md)
DEFAULT_SEGMENTER = "jieba"
SEGMENTER_ENV = "KG_SEGMENTER"

PKUSEG_DIST = "pkuseg"
PKUSEG_VERSION = "0.0.12"
PKUSEG_MODEL = "ctb8"
_MODEL_IN_WHEEL = f"pkuseg/models/{PKUSEG_MODEL}"
_OLD_FILES = ("unigram_word.txt", "bigram_word.txt", "tagIndex.txt", "model.txt",
              *(f"featureIndex.txt_{i}" for i in range(10)),
              *(f"featureSet.txt_{i}" for i in range(10)))
CONVERTED_FILES = ("features.msgpack", "weights.npz")


def models_dir() -> Path:
    """$KG_MODELS_DIR, else $XDG_CACHE_HOME/parks-kg/models, else ~/.cache/parks-kg/models."""
    if os.environ.get("KG_MODELS_DIR"):
        return Path(os.environ["KG_MODELS_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "parks-kg" / "models"


def pkuseg_model_dir() -> Path:
    """Where the converted CTB8 model lives (a spacy-pkuseg model directory)."""
    return models_dir() / f"pkuseg-{PKUSEG_MODEL}"


def pkuseg_original_dir() -> Path:
    """Where the pkuseg wheel is unpacked (the original code and its model, for checks)."""
    return models_dir() / f"{PKUSEG_DIST}-{PKUSEG_VERSION}"


def pkuseg_installed() -> Path | None:
    """The converted model's directory when `kg models install pkuseg` has made it, else None."""
    d = pkuseg_model_dir()
    return d if all((d / f).is_file() for f in CONVERTED_FILES) else None


def fetch_wheel(dest: Path) -> Path:
    """Download the pkuseg wheel (no dependencies) with pip into `dest`; the wheel's path."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(dest), f"{PKUSEG_DIST}=={PKUSEG_VERSION}"]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except FileNotFoundError:
        raise KgError(f"{sys.executable}: cannot run pip to fetch {PKUSEG_DIST}") from None
    except subprocess.TimeoutExpired:
        raise KgError(f"pip download {PKUSEG_DIST}=={PKUSEG_VERSION}: no answer from the "
                      "package registry in 15 minutes") from None
    if run.returncode != 0:
        lines = [ln.strip() for ln in (run.stderr or run.stdout).splitlines() if ln.strip()]
        why = lines[-1] if lines else f"exit code {run.returncode}"
        if "No module named pip" in (run.stderr or ""):
            why = "pip is not installed in this Python"
        raise KgError(f"pip download {PKUSEG_DIST}=={PKUSEG_VERSION} failed: {why} (pip needs "
                      "the package registry; offline, give --wheel FILE)")
    wheels = sorted(dest.glob(f"{PKUSEG_DIST}-{PKUSEG_VERSION}-*.whl"))
    if not wheels:
        raise KgError(f"{dest}: pip reported success but left no {PKUSEG_DIST} wheel")
    return wheels[0]


def unpack_wheel(wheel: Path, dest: Path) -> Path:
    """Unpack the wheel into `dest` (replaced whole); the folder of its CTB8 model."""
    try:
        with zipfile.ZipFile(wheel) as zf:
            names = set(zf.namelist())
            missing = [f for f in _OLD_FILES if f"{_MODEL_IN_WHEEL}/{f}" not in names]
            if missing:
                raise KgError(f"{wheel}: not the pkuseg wheel expected, no "
                              f"{_MODEL_IN_WHEEL}/{missing[0]}")
            tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
            try:
                zf.extractall(tmp)
                if dest.exists():
                    shutil.rmtree(dest)
                tmp.rename(dest)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    except zipfile.BadZipFile:
        raise KgError(f"{wheel}: not a wheel (a zip file)") from None
    return dest / _MODEL_IN_WHEEL


def _lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [ln.strip() for ln in f]


def convert_pkuseg(old: Path, out: Path) -> dict[str, int]:
    """Convert a model in pkuseg's old text format (folder `old`) to spacy-pkuseg's files in
    `out`; the counts of what was converted. Fails when a feature would lose its slot."""
    import numpy as np
    import srsly

    for f in _OLD_FILES:
        if not (old / f).is_file():
            raise KgError(f"{old}: not a pkuseg model, no {f}")
    used: set[str] = set()
    for i in range(10):
        used.update(_lines(old / f"featureSet.txt_{i}"))
    feature_to_idx: dict[str, int] = {}
    n_index = 0
    for i in range(10):
        path = old / f"featureIndex.txt_{i}"
        for ln in _lines(path):
            if not ln:
                continue
            key, _, idx = ln.rpartition(" ")
            slot, dot, feature = key.partition(".")
            if not dot or not slot.isdigit() or not idx.isdigit():
                raise KgError(f"{path}: not a feature index line: {ln[:60]!r}")
            n_index += 1
            if feature in feature_to_idx:
                raise KgError(f"{path}: feature {feature!r} has two slots; spacy-pkuseg keys "
                              "features by name alone, so this model cannot be converted")
            # the original drops node features that featureSet lacks ("$$" always counts)
            if feature in used or feature == "$$":
                feature_to_idx[feature] = int(idx)
    if feature_to_idx.get("$$") != 0:
        raise KgError(f"{old}: feature 0 is not \"$$\"; spacy-pkuseg always adds feature 0")
    tags = {}
    for ln in _lines(old / "tagIndex.txt"):
        if ln:
            tag, _, idx = ln.partition(" ")
            tags[tag] = int(idx)
    with open(old / "model.txt", encoding="utf-8") as f:
        n_tag = int(f.readline())
        wsize = int(f.readline())
        w = np.loadtxt(f, dtype=np.float64, max_rows=wsize)
    if n_tag != len(tags) or w.shape[0] != wsize or wsize != n_tag * (n_index + n_tag):
        raise KgError(f"{old / 'model.txt'}: {wsize} weights do not fit {n_index} features "
                      f"and {len(tags)} tags")
    w[wsize - 2:] = 0.0  # pkuseg 0.0.12's loader reads WSIZE-2 weights; keep its model
    data = {"unigram": sorted(set(_lines(old / "unigram_word.txt")) - {""}),
            "bigram": sorted(set(_lines(old / "bigram_word.txt")) - {""}),
            "feature_to_idx": feature_to_idx, "tag_to_idx": tags}
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out, prefix=".convert."))
    try:
        srsly.write_msgpack(tmp / "features.msgpack", data)
        np.savez(tmp / "weights.npz", sizes=np.array([n_tag, n_index]), w=w)
        for f in CONVERTED_FILES:
            os.replace(tmp / f, out / f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"features": len(feature_to_idx), "index": n_index, "weights": wsize,
            "unigrams": len(data["unigram"]), "bigrams": len(data["bigram"]), "tags": n_tag}


def load_spacy_pkuseg(model: Path, user_words: Iterable[str] = ()) -> Any:
    """A spacy_pkuseg segmenter on a converted model, with `user_words` as its user dictionary
    and none of spacy-pkuseg's own post-processing lexicon (so it segments as the model does)."""
    import spacy_pkuseg

    seg = spacy_pkuseg.pkuseg(model_name=str(model), user_dict=None)
    words = sorted(set(user_words))
    if words:
        seg.preprocesser = spacy_pkuseg.Preprocesser(words)
    return seg


def load_original_pkuseg(unpacked: Path) -> Any:
    """The pkuseg 0.0.12 code of the unpacked wheel, loaded with its CTB8 model (slow: pure
    Python; for checking the conversion and measuring, not for extraction)."""
    import importlib

    root = str(unpacked)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        with redirect_stdout(io.StringIO()):  # it prints "loading model" and "finish"
            mod = importlib.import_module(PKUSEG_DIST)
            return mod.pkuseg(model_name=str(unpacked / _MODEL_IN_WHEEL))
    except Exception as exc:
        raise KgError(f"{unpacked}: the original pkuseg does not load ({exc})") from None


def compare(a: Callable[[str], list[str]], b: Callable[[str], list[str]],
            lines: Iterable[str]) -> dict[str, Any]:
    """Segment each line with `a` and `b`: lines, words, lines that differ and the first few."""
    n_lines = n_words = 0
    differ: list[tuple[str, str]] = []
    n_differ = 0
    for line in lines:
        line = "".join(line.split())  # both split at spaces, in slightly different ways
        if not line:
            continue
        wa, wb = a(line), b(line)
        n_lines += 1
        n_words += len(wa)
        if wa != wb:
            n_differ += 1
            if len(differ) < 5:
                differ.append((" ".join(wa), " ".join(wb)))
    return {"lines": n_lines, "words": n_words, "differ": n_differ, "examples": differ}


def sample_lines() -> list[str]:
    """The shipped conversion-check sample (kg/data/segmenter-sample.txt), one text a line."""
    from importlib import resources

    text = (resources.files("kg") / "data" / "segmenter-sample.txt").read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def install_pkuseg(*, wheel: Path | None = None, sample: Iterable[str] | None = None,
                   say: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Fetch (or take `wheel`), unpack, convert and check pkuseg's CTB8 model; a report.

    The converted model is moved into place only when the check finds no difference, so a
    failed install leaves the previous model (or none), never a half-checked one.
    """
    root = models_dir()
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    if wheel is None:
        say(f"fetching {PKUSEG_DIST}=={PKUSEG_VERSION} with pip into {root / 'wheels'}")
        wheel = fetch_wheel(root / "wheels")
    elif not wheel.is_file():
        raise KgError(f"{wheel}: no such wheel")
    elif not zipfile.is_zipfile(wheel):
        raise KgError(f"{wheel}: not a wheel (a zip file)")
    say(f"unpacking {wheel.name} into {pkuseg_original_dir()}")
    old = unpack_wheel(wheel, pkuseg_original_dir())
    staging = root / f".pkuseg-{PKUSEG_MODEL}.new"
    shutil.rmtree(staging, ignore_errors=True)
    say(f"converting {old}")
    counts = convert_pkuseg(old, staging)
    say("checking: segmenting the sample with the original pkuseg and the converted model")
    original = load_original_pkuseg(pkuseg_original_dir())
    converted = load_spacy_pkuseg(staging)
    lines = list(sample) if sample is not None else sample_lines()
    result = compare(original.cut, converted.cut, lines)
    if result["differ"] or not result["words"]:
        ex = result["examples"][0] if result["examples"] else ("", "")
        shutil.rmtree(staging, ignore_errors=True)
        raise KgError(f"{old}: the converted model segments {result['differ']} of "
                      f"{result['lines']} sample lines differently (original: {ex[0][:80]!r}; "
                      f"converted: {ex[1][:80]!r}); nothing installed")
    dest = pkuseg_model_dir()
    report = {"source": f"{PKUSEG_DIST}=={PKUSEG_VERSION} ({wheel.name}), model {PKUSEG_MODEL}, "
                        "MIT licence",
              "converted": counts, "check": {k: result[k] for k in ("lines", "words", "differ")},
              "seconds": round(time.monotonic() - t0, 1), "model": str(dest)}
    (staging / "source.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)
    return report
