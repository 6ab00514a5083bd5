"""Measure the corpus stage's two guesses: the encoding of a file and the article of a page.

    python benchmarks/bench_corpus.py             # both tables
    python benchmarks/bench_corpus.py --only enc  # or --only web

Encodings: every text of tests/real/texts/ (UTF-8 as collected) re-encoded into each
encoding, traditional characters for the Big5 rows (OpenCC s2t where the text is simplified;
a character an encoding lacks is left out of that file, as no such file could hold it), then
short pieces (the first 8, 16 and 40 Chinese characters) and mixed files (Chinese with
English paragraphs; simplified and traditional together; half GB18030 and half Big5, which
no single encoding reads and should warn). A reading is right when it gives the original
text exactly. Columns: files, right, warned (any warning), wrong and silent (the worst case),
ms per MB. Detectors: kg.corpus.encoding.detect and charset-normalizer (when installed).

Web pages: scripts/make_web_pages.py builds news pages around the same texts; for each
extractor of kg.corpus.web (plus the whole-page text), the share of article characters kept
(sentence by sentence), the share of boilerplate characters kept, how many pages still hold
the sidebar headline 「比亚迪入驻西安高新区」, and ms per page.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.corpus.encoding import detect  # noqa: E402
from kg.corpus.html import html_to_text  # noqa: E402
from kg.corpus.web import EXTRACTORS, main_text  # noqa: E402
from kg.errors import InputError  # noqa: E402

TEXTS = ROOT / "tests" / "real" / "texts"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _s2t() -> Callable[[str], str]:
    import opencc

    conv = opencc.OpenCC("s2t")
    return conv.convert


def _bom(codec: str, bom: bytes) -> Callable[[str], bytes]:
    return lambda s: bom + s.encode(codec)


ENCODERS: dict[str, tuple[Callable[[str], bytes], bool]] = {  # name: (encode, traditional)
    "utf-8": (lambda s: s.encode("utf-8"), False),
    "utf-8-bom": (lambda s: s.encode("utf-8-sig"), False),
    "utf-16-le-bom": (_bom("utf-16-le", b"\xff\xfe"), False),
    "utf-16-be-bom": (_bom("utf-16-be", b"\xfe\xff"), False),
    "utf-16-le": (lambda s: s.encode("utf-16-le"), False),
    "utf-16-be": (lambda s: s.encode("utf-16-be"), False),
    "utf-32-le-bom": (_bom("utf-32-le", b"\xff\xfe\x00\x00"), False),
    "utf-32-be-bom": (_bom("utf-32-be", b"\x00\x00\xfe\xff"), False),
    "utf-32-le": (lambda s: s.encode("utf-32-le"), False),
    "gb18030": (lambda s: s.encode("gb18030"), False),
    "gbk": (lambda s: s.encode("gbk"), False),
    "gbk-traditional": (lambda s: s.encode("gbk"), True),
    "big5": (lambda s: s.encode("big5"), True),
    "big5-hkscs": (lambda s: s.encode("big5hkscs"), True),
}


def _cases(texts: list[str]) -> list[tuple[str, bytes, str]]:
    """(row, bytes, the text they must decode to) for every measured file."""
    s2t = _s2t()
    trad = [t if _is_traditional(t) else s2t(t) for t in texts]
    out = []
    for row, (enc, traditional) in ENCODERS.items():
        for simp, tra in zip(texts, trad, strict=True):
            t = _encodable(tra if traditional else simp, enc)
            if t:
                out.append((row, enc(t), t))
    for n in (8, 16, 40):
        for row, codec, pool in (("gb18030", "gb18030", texts), ("big5", "big5", trad)):
            for t in pool:
                piece = "".join(HAN.findall(t))[:n]  # the first n Chinese characters
                try:
                    out.append((f"short {n} {row}", piece.encode(codec), piece))
                except UnicodeEncodeError:
                    pass
    english = ("The park signed agreements with 12 companies in 2024, "
               "according to the management committee.\n")
    for simp, tra in zip(texts, trad, strict=True):
        paras = simp.split("\n")
        mixed = "\n".join(p + "\n" + english for p in paras)
        out.append(("mixed en+zh gb18030", mixed.encode("gb18030"), mixed))
        tparas = tra.split("\n")
        try:
            out.append(("mixed en+zh big5", "\n".join(p + "\n" + english for p in tparas)
                        .encode("big5"), "\n".join(p + "\n" + english for p in tparas)))
        except UnicodeEncodeError:
            pass
        half = len(simp) // 2
        st = simp[:half] + tra[half:]
        try:
            out.append(("mixed simp+trad gbk", st.encode("gbk"), st))
        except UnicodeEncodeError:
            pass
        try:
            two = simp[:half].encode("gb18030") + tra[half:].encode("big5")
        except UnicodeEncodeError:
            continue
        out.append(("two encodings (gb+big5)", two, ""))  # no right reading: must warn
    return out


def _encodable(text: str, enc: Callable[[str], bytes]) -> str:
    """`text` less the characters `enc` cannot write (no file in that encoding has them)."""
    try:
        enc(text)
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            enc(ch)
        except UnicodeEncodeError:
            continue
        out.append(ch)
    return "".join(out)


def _is_traditional(text: str) -> bool:
    try:
        text.encode("big5")
    except UnicodeEncodeError:
        return False
    return True


def _ours(data: bytes) -> tuple[str, bool]:
    try:
        res = detect(data, "x")
    except InputError:
        return "", True
    return res.text, bool(res.warnings)


def _normalizer(data: bytes) -> tuple[str, bool]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return "", True
    text = str(best)
    return text, False


def bench_encodings() -> None:
    """Print the accuracy table per encoding row and detector, and MB/s."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(TEXTS.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"{TEXTS}: no texts (git-ignored; see tests/real/)")
    cases = _cases(texts)
    detectors: dict[str, Callable[[bytes], tuple[str, bool]]] = {"kg.corpus.encoding": _ours}
    try:
        import charset_normalizer  # noqa: F401

        detectors["charset-normalizer"] = _normalizer
    except ImportError:
        pass
    rows = list(dict.fromkeys(r for r, _, _ in cases))
    mb = sum(len(d) for _, d, _ in cases) / 1e6
    print(f"encodings: {len(texts)} texts, {len(cases)} files, {mb:.1f} MB")
    for name, det in detectors.items():
        print(f"\n{name}")
        print(f"{'row':<26}{'files':>6}{'right':>8}{'warned':>8}{'silent wrong':>14}"
              f"{'ms/MB':>8}")
        t0 = time.perf_counter()
        tally: dict[str, list[int]] = {r: [0, 0, 0, 0] for r in rows}
        secs_row = dict.fromkeys(rows, 0.0)
        mb_row = dict.fromkeys(rows, 0.0)
        for row, data, want in cases:
            t1 = time.perf_counter()
            got, warned = det(data)
            secs_row[row] += time.perf_counter() - t1
            mb_row[row] += len(data) / 1e6
            t = tally[row]
            t[0] += 1
            right = bool(want) and got.lstrip("\ufeff") == want
            t[1] += right
            t[2] += warned
            t[3] += not right and not warned
        secs = time.perf_counter() - t0
        for row in rows:
            n, right, warned, silent = tally[row]
            print(f"{row:<26}{n:>6}{right / n:>8.1%}{warned / n:>8.1%}{silent:>14}"
                  f"{1000 * secs_row[row] / mb_row[row]:>8.0f}")
        total = [sum(t[i] for t in tally.values()) for i in range(4)]
        print(f"{'all':<26}{total[0]:>6}{total[1] / total[0]:>8.1%}{total[2] / total[0]:>8.1%}"
              f"{total[3]:>14}")
        print(f"time: {secs:.2f} s for {mb:.1f} MB = {1000 * secs / mb:.0f} ms per MB")


def _squash(s: str) -> str:
    return "".join(s.split())


def bench_web() -> None:
    """Print, per extractor, article and boilerplate characters kept and ms per page."""
    for short in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, str(ROOT / "scripts" / "make_web_pages.py"), tmp]
                           + (["--short"] if short else []), check=True,
                           stdout=subprocess.DEVNULL)
            manifest = json.loads((Path(tmp) / "manifest.json").read_text(encoding="utf-8"))
            pages = [(m, (Path(tmp) / m["page"]).read_text(encoding="utf-8")) for m in manifest]
        what = "first paragraph only (--short)" if short else "whole articles"
        print(f"\nweb pages: {len(pages)}, {what} (scripts/make_web_pages.py)")
        print(f"{'extractor':<14}{'article kept':>14}{'boilerplate kept':>18}"
              f"{'sidebar fact':>14}{'fell back':>11}{'ms/page':>9}")
        for ex in EXTRACTORS:
            main_text(pages[0][1], extractor=ex)  # imports and first-call set-up not timed
            _web_row(ex, pages)


def _web_row(ex: str, pages: list[tuple[dict, str]]) -> None:
    art = art_kept = boil = boil_kept = fact = fell = 0
    secs = 0.0
    for m, page in pages:
        t0 = time.perf_counter()
        got = main_text(page, extractor=ex)
        if got is None:
            fell += 1
            got = html_to_text(page)[0]
        secs += time.perf_counter() - t0
        flat = _squash(got)
        article = _squash("".join(m["article"]))
        for para in m["article"]:
            for sent in re.findall(r"[^。！？]+[。！？]?", para):
                s = _squash(sent)
                art += len(s)
                art_kept += len(s) if s in flat else 0
        for b in m["boilerplate"]:
            s = _squash(b)
            if s in article:  # 科技创新 in the nav bar and in the text: not measurable
                continue
            boil += len(s)
            boil_kept += len(s) if s in flat else 0
        fact += "比亚迪入驻西安高新区" in flat
    n = len(pages)
    print(f"{ex:<14}{art_kept / art:>14.1%}{boil_kept / boil:>18.1%}{fact:>11}/{n:<2}"
          f"{fell:>11}{1000 * secs / n:>9.1f}")


def main() -> None:
    """Run the benchmarks asked for."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["enc", "web"])
    args = ap.parse_args()
    if args.only != "web":
        bench_encodings()
    if args.only != "enc":
        bench_web()


if __name__ == "__main__":
    main()
