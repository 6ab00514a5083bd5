"""The pkuseg segmenter: the old-format model conversion, the pipeline reading pkuseg's words,
the choice of segmenter, and (when installed) the real CTB8 news model.

The conversion is tested on a model trained here with spacy_pkuseg.train and written out in
pkuseg 0.0.12's old text format (the feature slots as pkuseg numbers them); the real model's
tests skip unless `kg models install pkuseg` has been run on this machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SEEDS

spacy_pkuseg = pytest.importorskip("spacy_pkuseg")

from kg.errors import KgError  # noqa: E402
from kg.lang import segmenters  # noqa: E402
from kg.lang import words as kg_words  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
installed = segmenters.pkuseg_installed()
needs_model = pytest.mark.skipif(
    installed is None or not segmenters.pkuseg_original_dir().is_dir(),
    reason="the CTB8 model is not installed (kg models install pkuseg)")


@pytest.fixture(autouse=True)
def default_segmenter():
    """Each test leaves the process's segmenter as the other tests expect it."""
    yield
    kg_words.use_segmenter()


def _seed_lines(n: int) -> list[str]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        out += [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()
                if len(ln.strip()) > 8]
    return out[:n]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small spacy-pkuseg model trained offline on seed lines segmented by jieba."""
    import jieba

    tmp = tmp_path_factory.mktemp("pkuseg-train")
    lines = [" ".join(w for w in jieba.cut(ln) if w.strip()) for ln in _seed_lines(150)]
    (tmp / "train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "test.txt").write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    model = tmp / "model"
    spacy_pkuseg.train(str(tmp / "train.txt"), str(tmp / "test.txt"), str(model), train_iter=3)
    return model


def _slot(feature: str, word_max: int = 6) -> int | None:
    """pkuseg 0.0.12's slot number of a feature (its position in the node feature list, + 1);
    None for a word-pair feature with "**noWord", which has several slots."""
    fixed = {"$$": 1, "c": 2, "c-1": 3, "c1": 4, "c-2": 5, "c2": 6, "c-1c": 7, "cc1": 8,
             "c-2c-1": 9}
    head, _, rest = feature.partition(".")
    if feature == "$$":
        return 1
    if head in fixed:
        return fixed[head]
    if head in ("w-1", "w1"):
        return (10 if head == "w-1" else 15) + word_max - len(rest)
    side, _, pair = rest.partition(".")
    pre, _, post = pair.partition("*")
    if "**noWord" in (pre, post) or head != "ww":
        return None
    return (20 if side == "l" else 45) + (word_max - len(pre)) * 5 + (word_max - len(post))


def _write_old_format(model: Path, out: Path) -> Path:
    """Write a spacy-pkuseg model in pkuseg 0.0.12's text format (features by slot, a weight a
    line); features without one slot are left out. The reference segmenter to compare with."""
    import numpy as np
    import srsly

    data = srsly.read_msgpack(model / "features.msgpack")
    npz = np.load(model / "weights.npz")
    n_tag, n_feature = (int(x) for x in npz["sizes"])
    w = npz["w"].copy()
    out.mkdir(parents=True)
    kept = {f: i for f, i in data["feature_to_idx"].items() if _slot(f) is not None}
    # a feature left out keeps its index under a name no text gives and featureSet lacks, so
    # that the index still counts every row of weights
    names = {i: f"{_slot(f)}.{f}" for f, i in kept.items()}
    items = [(names.get(i, f"2.c.<gap{i}>"), i) for i in range(n_feature)]
    for part in range(10):
        chunk = items[part::10]
        (out / f"featureIndex.txt_{part}").write_text(
            "".join(f"{key} {i}\n" for key, i in chunk), encoding="utf-8")
        (out / f"featureSet.txt_{part}").write_text(
            "".join(f"{key.partition('.')[2]}\n" for key, i in chunk if i in names and i),
            encoding="utf-8")
    (out / "unigram_word.txt").write_text("\n".join(data["unigram"]) + "\n", encoding="utf-8")
    (out / "bigram_word.txt").write_text("\n".join(data["bigram"]) + "\n", encoding="utf-8")
    (out / "tagIndex.txt").write_text(
        "".join(f"{t} {i}\n" for t, i in data["tag_to_idx"].items()), encoding="utf-8")
    with open(out / "model.txt", "w", encoding="utf-8") as f:
        f.write(f"{n_tag}\n{w.shape[0]}\n")
        f.write("".join(f"{x:.4f}\n" for x in w))
    # the reference: the same model as the old format keeps it (4 decimals, features with one
    # slot, the original loader's last two weights left at 0)
    ref = out.parent / "reference"
    ref.mkdir()
    w = np.round(w, 4)
    w[-2:] = 0.0
    np.savez(ref / "weights.npz", sizes=np.array([n_tag, n_feature]), w=w)
    srsly.write_msgpack(ref / "features.msgpack", {**data, "feature_to_idx": kept})
    return ref


def test_conversion_of_a_model_trained_here_segments_as_it(trained: Path, tmp_path: Path):
    ref = _write_old_format(trained, tmp_path / "old")
    counts = segmenters.convert_pkuseg(tmp_path / "old", tmp_path / "converted")
    assert counts["tags"] == 5 and counts["features"] > 1000
    converted = segmenters.load_spacy_pkuseg(tmp_path / "converted")
    reference = segmenters.load_spacy_pkuseg(ref)
    lines = _seed_lines(400)[150:] + segmenters.sample_lines()
    result = segmenters.compare(reference.cut, converted.cut, lines)
    assert result["lines"] > 50 and result["words"] > 1000
    assert result["differ"] == 0, result["examples"]


def test_conversion_refuses_a_feature_with_two_slots(trained: Path, tmp_path: Path):
    _write_old_format(trained, tmp_path / "old")
    index = tmp_path / "old" / "featureIndex.txt_0"
    first = index.read_text(encoding="utf-8").splitlines()[1]  # "N.FEATURE INDEX"
    slot, _, rest = first.partition(".")
    index.write_text(index.read_text(encoding="utf-8") + f"{int(slot) + 1}.{rest}\n",
                     encoding="utf-8")
    with pytest.raises(KgError, match="two slots"):
        segmenters.convert_pkuseg(tmp_path / "old", tmp_path / "converted")
    assert not (tmp_path / "converted" / "weights.npz").exists()


def test_conversion_of_a_folder_that_is_no_model(tmp_path: Path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "model.txt").write_text("5\n10\n", encoding="utf-8")
    with pytest.raises(KgError, match=r"not a pkuseg model, no unigram_word\.txt"):
        segmenters.convert_pkuseg(tmp_path / "old", tmp_path / "converted")


def test_unpack_refuses_a_file_that_is_no_wheel(tmp_path: Path):
    bad = tmp_path / "pkuseg-0.0.12-py3-none-any.whl"
    bad.write_bytes(b"not a zip")
    with pytest.raises(KgError, match="not a wheel"):
        segmenters.unpack_wheel(bad, tmp_path / "unpacked")


def test_pipeline_with_pkuseg_reads_its_words_on_seed_sentences(trained: Path):
    from kg.nlp.pipeline import annotate, build_nlp

    nlp = build_nlp(segmenter="pkuseg", pkuseg_model=trained)
    assert kg_words.segmenter_name() == "jieba"  # the environment's choice is untouched…
    assert kg_words._CUT is not None and kg_words._CUT[0] == "pkuseg"  # …the process's is not
    text = SEEDS.joinpath("001_c29b91b09ab244c6.txt").read_text(encoding="utf-8")
    sentence = next(ln for ln in text.splitlines() if "高新区" in ln)
    doc = annotate(nlp, sentence)
    tokens = [t.text for t in doc]
    assert len(tokens) < 0.8 * len(sentence)  # words, not characters
    # the rules' windows are cut by the same model: what it gives, joined, is the window
    window = sentence[:30] + " \n" + sentence[30:40]
    words = kg_words.segment(window)
    assert "".join(w for w, _ in words) == window
    def ends(ws: list[str]) -> set[int]:
        out, n = set(), 0
        for w in ws:
            n += len(w)
            out.add(n)
        return out

    # every word end of pkuseg's is one of the window's (the rules may split a function
    # character off an unknown word, words.toml [segmentation], never join)
    cut = [w for piece in window.split(" \n") for w in nlp.tokenizer.pkuseg_seg.cut(piece)]
    model_ends = ends(cut)
    assert len(words) >= len(cut) and any(len(w) > 1 for w, _ in words)
    assert ends([w for w, _ in words if not w.isspace()]) >= model_ends
    parks = {e.text for e in doc.ents if e.label_ == "Park"}
    assert any(p.endswith("高新区") for p in parks), (sentence, doc.ents)


def test_user_dictionary_holds_the_firm_lexicon():
    lexicon = [json.loads(ln)["pattern"] for ln in (ROOT / "kg" / "patterns" / "entities" /
               "enterprises.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
    words = set(kg_words.user_words())
    assert set(w for w in lexicon if len(w) > 1) <= words
    assert "中国科学院" in words  # an organisation of data/wikidata.csv


def test_user_dictionary_words_stay_whole(trained: Path):
    seg = kg_words.pkuseg_segmenter(str(trained))
    firm = next(w for w in kg_words.user_words() if len(w) >= 4)
    assert firm in seg.cut(f"今年{firm}在园区投资建设新项目")


def test_unknown_segmenter_is_a_clear_error():
    with pytest.raises(KgError, match="'hmm'.*expected one of jieba, pkuseg"):
        kg_words.use_segmenter("hmm")


def test_pkuseg_without_a_model_says_how_to_install(tmp_path: Path, monkeypatch):
    if installed:  # loaded and chosen first: a cache must not hide that it is gone
        kg_words.use_segmenter("pkuseg")
    monkeypatch.setenv("KG_MODELS_DIR", str(tmp_path / "empty"))
    with pytest.raises(KgError, match="kg models install pkuseg"):
        kg_words.use_segmenter("pkuseg")


def _kg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env=os.environ | (env or {}), cwd=ROOT)


def test_cli_segmenter_from_the_environment_is_checked():
    done = _kg("extract", str(SEEDS / "001_c29b91b09ab244c6.txt"), env={"KG_SEGMENTER": "hmm"})
    assert done.returncode == 2 and "'hmm' is not one of 'jieba', 'pkuseg'" in done.stderr


def test_cli_models_install_with_a_bad_wheel_is_one_line(tmp_path: Path):
    bad = tmp_path / "pkuseg-0.0.12-py3-none-any.whl"
    bad.write_bytes(b"PK no zip")
    done = _kg("models", "install", "pkuseg", "--wheel", str(bad),
               env={"KG_MODELS_DIR": str(tmp_path / "models")})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"Error: {bad}: not a wheel (a zip file)"
    assert not (tmp_path / "models" / "pkuseg-ctb8").exists()


@needs_model
def test_real_model_segments_as_the_original_pkuseg():
    original = segmenters.load_original_pkuseg(segmenters.pkuseg_original_dir())
    converted = segmenters.load_spacy_pkuseg(installed)
    result = segmenters.compare(original.cut, converted.cut, _seed_lines(60))
    assert result["lines"] == 60 and result["differ"] == 0, result["examples"]


@needs_model
def test_real_model_extracts_the_seeds_as_the_default_nearly_does(tmp_path: Path):
    from kg.corpus import read_document
    from kg.extract.extractor import extract_one
    from kg.nlp.pipeline import build_nlp

    doc = read_document(SEEDS / "001_c29b91b09ab244c6.txt")
    names = {}
    for seg in ("jieba", "pkuseg"):
        rec = extract_one(doc, build_nlp(segmenter=seg))
        names[seg] = {(e.type, e.name) for e in rec.entities}
    assert names["pkuseg"]
    overlap = len(names["jieba"] & names["pkuseg"]) / len(names["jieba"] | names["pkuseg"])
    assert overlap > 0.6, names


def test_each_pipeline_reads_the_words_it_was_built_with(trained: Path):
    from kg.nlp.pipeline import annotate, build_nlp

    with_pkuseg = build_nlp(segmenter="pkuseg", pkuseg_model=trained)
    with_jieba = build_nlp()  # the later build sets the process's words…
    assert kg_words._CUT is not None and kg_words._CUT[0] == "jieba"
    annotate(with_pkuseg, "新余高新区企业上榜。")  # …and each pipeline takes its own back
    assert kg_words._CUT[0] == "pkuseg"
    annotate(with_jieba, "新余高新区企业上榜。")
    assert kg_words._CUT[0] == "jieba"


def test_cli_models_install_without_the_registry_says_so(tmp_path: Path):
    done = _kg("models", "install", "pkuseg",
               env={"KG_MODELS_DIR": str(tmp_path / "models"), "PIP_NO_INDEX": "1"})
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: pip download pkuseg==0.0.12 failed: ")
    assert "give --wheel FILE" in last and "Traceback" not in done.stderr
    assert not (tmp_path / "models" / "pkuseg-ctb8").exists()
