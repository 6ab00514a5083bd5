"""Bytes → text by evidence: which encoding makes the bytes read as Chinese someone wrote.

A byte-order mark decides alone. Without one, valid UTF-8 with multi-byte characters is
UTF-8 (other encodings almost never form it by chance). Otherwise every candidate that
could have written the bytes (GB18030, Big5, Big5-HKSCS, UTF-16/32 without BOM) decodes
them, and each reading is scored by the share of its non-ASCII characters that are common
Chinese characters or punctuation. The common characters come from the codecs themselves:
GB2312's first level (the 3,755 most used simplified characters) and Big5's frequently
used block (5,401 traditional ones), so no frequency table ships. A wrong reading lands
about half its characters outside these sets (kana, box drawing, rare or private-use
characters), a right one almost none. benchmarks/bench_corpus.py measures it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.errors import InputError

# (BOM, codec that strips it, label); UTF-32 LE's BOM starts with UTF-16 LE's, so it goes first
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32", "utf-32"),
         (b"\xef\xbb\xbf", "utf-8", "utf-8"), (b"\xff\xfe", "utf-16", "utf-16"),
         (b"\xfe\xff", "utf-16", "utf-16"))
# Candidates without a BOM, in the order ties go (a mainland corpus: GB18030 first)
_LEGACY = ("gb18030", "big5", "big5hkscs")
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_SAMPLE = 40000  # characters scored per candidate: enough evidence, constant time per file
LOW_CONFIDENCE = 0.7  # below it read_document warns

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Punctuation and symbols Chinese text uses: CJK marks, full-width forms, general
# punctuation (“”…—), ·×÷°, ℃ №, circled numbers, geometric shapes (■●○).
_PUNCT = re.compile(r"[\u3000-\u303f\uff00-\uffef\u2010-\u206f\u00b0\u00b7\u00d7\u00f7"
                    r"\u2100-\u215f\u2460-\u24ff\u25a0-\u25ff]")


@dataclass(frozen=True)
class Decoded:
    """Decoded text, the codec that gave it, how sure the choice is (0–1), and warnings."""

    text: str
    encoding: str
    confidence: float
    warnings: tuple[str, ...] = ()


def _chars(codec: str, leads: range, trails: list[int], last: bytes = b"") -> str:
    out = []
    for a in leads:
        for b in trails:
            pair = bytes((a, b))
            if last and pair > last:
                return "".join(out)
            try:
                out.append(pair.decode(codec))
            except UnicodeDecodeError:
                pass
    return "".join(out)


@lru_cache(maxsize=1)
def _tables() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Regexes of the common and of the less common Han characters of GB2312 and Big5."""
    hi = list(range(0xA1, 0xFF))
    big5_trails = list(range(0x40, 0x7F)) + hi
    common = (_chars("gb2312", range(0xB0, 0xD8), hi)
              + _chars("big5", range(0xA4, 0xC7), big5_trails, last=b"\xc6\x7e"))
    rare = (_chars("gb2312", range(0xD8, 0xF8), hi)
            + _chars("big5", range(0xC9, 0xFA), big5_trails, last=b"\xf9\xd5"))
    rare = "".join(sorted(set(rare) - set(common)))

    def cls(chars: str) -> re.Pattern[str]:
        return re.compile("[" + "".join(sorted(set(chars))).replace("\\", "\\\\")
                          .replace("]", "\\]").replace("^", "\\^").replace("-", "\\-") + "]")

    return cls(common), cls(rare)


@dataclass(frozen=True)
class _Reading:
    codec: str
    text: str
    errors: int  # invalid byte sequences, replaced
    score: float  # share of the sample's non-ASCII characters that read as Chinese
    evidence: int  # non-ASCII characters in the sample


def score(text: str) -> tuple[float, int]:
    """How much `text` reads as Chinese: (weighted share of its non-ASCII characters that
    are common Han characters or Chinese punctuation, number of non-ASCII characters)."""
    sample = text[:_SAMPLE]
    n = len(_NON_ASCII.findall(sample))
    if not n:
        return 1.0, 0
    common, rare = _tables()
    good = len(common.findall(sample)) + len(_PUNCT.findall(sample))
    good += 0.5 * len(rare.findall(sample))
    return good / n, n


def _read(data: bytes, codec: str) -> _Reading | None:
    """The bytes through one codec; None when it leaves too many invalid sequences."""
    try:
        text, errors = data.decode(codec), 0
    except UnicodeDecodeError:
        text = data.decode(codec, "replace")
        errors = text.count("\ufffd")
        if errors > max(2, len(text) // 200):
            return None
    s, n = score(text)
    if errors:
        s *= max(0.0, 1 - 20 * errors / max(1, len(text)))
    return _Reading(codec, text, errors, s, n)


def _confidence(best: _Reading, rival: _Reading | None) -> float:
    """The best reading's score, lowered when there is little evidence or a close rival."""
    conf = best.score * min(1.0, (best.evidence + 2) / 12)
    if rival is not None:
        conf = min(conf, 0.5 + 2.5 * (best.score - rival.score))
    return max(0.0, min(1.0, conf))


def utf8_error(data: bytes) -> tuple[int, str]:
    """(offset of the first invalid UTF-8 byte in `data`, or -1; the text with each invalid
    sequence replaced by U+FFFD)."""
    try:
        return -1, data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start, data.decode("utf-8", "replace")


def detect(data: bytes, name: str, *, declared: str | None = None) -> Decoded:
    """Decode a file's bytes by evidence (see the module doc); InputError naming `name` when
    no encoding fits. `declared` (an HTML page's charset) wins when it reads well."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec) if codec == "utf-8" else data.decode(codec)
            except UnicodeDecodeError as exc:
                at = exc.start + (len(bom) if codec == "utf-8" else 0)
                raise InputError(f"{name}: broken {label.upper()} ({exc.reason} at byte {at})"
                                 ) from None
            return Decoded(text, label, 1.0)
    if b"\x00" in data[:4096]:
        return _wide(data, name)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass
    bad_at, replaced = utf8_error(data)
    bad_count = replaced.count("\ufffd")
    readings = [r for c in _LEGACY + (_WIDE[:2] if len(data) % 2 == 0 else ())
                if (r := _read(data, c)) is not None]
    if declared:
        readings = [_Reading(r.codec, r.text, r.errors, r.score + 0.05, r.evidence)
                    if _same_codec(r.codec, declared) else r for r in readings]
    utf8 = _mostly_utf8(replaced, bad_count)
    if utf8 is not None and (not readings or utf8.score >= max(r.score for r in readings)):
        return Decoded(utf8.text, "utf-8", _confidence(utf8, None), (
            f"{name}: invalid UTF-8 at byte {bad_at} ({bad_count} bad sequence(s) replaced "
            "by �)",))
    if not readings:
        raise InputError(f"{name}: not UTF-8 (invalid byte at offset {bad_at}) nor GB18030, "
                         "Big5 or UTF-16")
    best = max(readings, key=lambda r: r.score)  # the first of equals: the order of _LEGACY
    if best.codec == "big5hkscs":  # plain Big5 when it gives the same text
        plain = next((r for r in readings if r.codec == "big5"), None)
        if plain is not None and plain.text == best.text:
            best = plain
    rivals = [r for r in readings if r.text != best.text and not _kin(r.codec, best.codec)]
    rival = max(rivals, key=lambda r: r.score) if rivals else None
    conf = _confidence(best, rival)
    warnings = []
    if best.codec in _LEGACY:
        mixed = _mixed(data, best.codec, [c for c in _LEGACY if not _kin(c, best.codec)
                                          and c != best.codec])
        if mixed is not None:
            conf = min(conf, 0.5)
            warnings.append(f"{name}: read as {best.codec}, but the bytes from offset "
                            f"{mixed[0]} read better as {mixed[1]}: two encodings in one file?")
    if best.errors:
        warnings.append(f"{name}: {best.errors} invalid byte sequence(s) for {best.codec}, "
                        "replaced by �")
    if conf < LOW_CONFIDENCE:
        also = f", or perhaps {rival.codec}" if rival is not None else ""
        warnings.append(f"{name}: encoding uncertain: read as {best.codec} with confidence "
                        f"{conf:.2f}{also} (not UTF-8: invalid byte at offset {bad_at})")
    return Decoded(best.text, best.codec, conf, tuple(warnings))


def _mixed(data: bytes, best: str, others: list[str], parts: int = 8) -> tuple[int, str] | None:
    """(byte offset, codec) of the first part of `data` that another codec reads clearly
    better than `best`: a file joined from two encodings. None when no part does."""
    size = max(len(data) // parts, 400)
    for i in range(0, len(data), size):
        chunk = data[i : i + size]
        mine, n = score(chunk.decode(best, "replace"))
        if n < 30:
            continue
        for codec in others:
            theirs, _ = score(chunk.decode(codec, "replace"))
            if theirs > mine + 0.1:
                return i, codec
    return None


def _kin(a: str, b: str) -> bool:
    """Big5 and Big5-HKSCS: one encoding, the second with more characters (not rivals)."""
    return a.startswith("big5") and b.startswith("big5")


def _same_codec(codec: str, declared: str) -> bool:
    d = declared.lower().replace("_", "-")
    family = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
              "big5-hkscs": "big5hkscs", "cp950": "big5"}
    return family.get(d, d) == codec or (codec == "big5hkscs" and family.get(d, d) == "big5")


def _mostly_utf8(text: str, bad: int) -> _Reading | None:
    """UTF-8 with a few broken bytes (a cut download, one bad copy): its reading, or None."""
    multi = len(_NON_ASCII.findall(text)) - text.count("\ufffd")
    if multi < 10 or bad > max(1, multi // 100):
        return None
    s, n = score(text)
    return _Reading("utf-8", text, bad, s, n)


def _wide(data: bytes, name: str) -> Decoded:
    """NUL bytes without a BOM: UTF-16 or UTF-32 if a byte order reads as text, else binary."""
    readings = []
    for codec in _WIDE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:_SAMPLE]
        control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
        if control > len(sample) // 100:
            continue
        s, n = score(text)
        if n or sample.isascii():
            readings.append(_Reading(codec, text, 0, s, n))
    good = [r for r in readings if r.score >= 0.6 and (r.evidence or r.text.strip())]
    if not good:
        raise InputError(f"{name}: binary file (NUL bytes), not text")
    best = max(good, key=lambda r: r.score)
    rival = max((r for r in readings if r.text != best.text), key=lambda r: r.score,
                default=None)
    conf = _confidence(best, rival)
    warnings = () if conf >= LOW_CONFIDENCE else (
        f"{name}: encoding uncertain: read as {best.codec} with confidence {conf:.2f}",)
    return Decoded(best.text, best.codec, conf, warnings)


def content_warnings(text: str, name: str, encoding: str) -> list[str]:
    """Warnings for decoded text that cannot be the article: no Chinese at all, or mostly
    replacement characters (a wrong encoding or a damaged file)."""
    out = []
    visible = len("".join(text.split()))
    bad = text.count("\ufffd")
    if bad and bad * 10 >= max(1, visible):
        out.append(f"{name}: {bad} of {visible} characters are replacement characters (�): "
                   f"the bytes are not {encoding}, or the file is damaged")
    if not _HAN.search(text):
        out.append(f"{name}: no Chinese characters in the text (read as {encoding}): "
                   "nothing for the rules to find")
    return out
