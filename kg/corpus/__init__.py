"""Corpus files → decoded, normalised text: encodings, full-width forms, sections and sentences.

Offsets everywhere in parks-kg count characters of the text this module returns, so
normalisation here keeps one character for one character wherever it can.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.corpus.encoding import Decoded, content_warnings, detect
from kg.errors import InputError

SUFFIXES = (".txt", ".md", ".text", ".html", ".htm")
_HTML_SNIFF = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b",
                         re.I | re.S)

# Full-width ASCII letters, digits and the ideographic space map one-to-one onto ASCII.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH.update({c: c - 0xFEE0 for c in range(0xFF41, 0xFF5B)})
_FULLWIDTH.update({0x3000: 0x20, 0xFF0E: 0x2E, 0xFF05: 0x25, 0xFF0B: 0x2B, 0xFF0D: 0x2D,
                   0xFF0F: 0x2F, 0xFF3F: 0x5F, 0xFF06: 0x26, 0xFF03: 0x23})

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # control characters, bar \t \n \f \r
_SENT_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\n+")
_CONTINUES = frozenset("的、，,和与及在对为将从向被把")  # a line ending in one goes on
_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")
_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*$")
_NOT_HEADING = re.compile(r"[。！？；;]|[，,：:、]$|摄$|摄[(（]")  # sentence marks, a photo credit


@dataclass(frozen=True)
class Document:
    """One source file, decoded and normalised; `doc_id` names it in the graph (its path under
    the corpus root without extension, or the file name without extension).

    `text` is what the rules read (traditional characters converted to simplified, one for
    one); `original` is the text as written, at the same offsets, for evidence sentences.
    `warnings` are one-line notes naming the file (an uncertain encoding, a page without
    Chinese text…): the document was read, but may not be what its author wrote.
    """

    doc_id: str
    path: str
    text: str
    sha256: str
    encoding: str
    title: str
    original: str = ""
    warnings: tuple[str, ...] = ()
    published: str = ""  # the date an HTML page's <meta> tags give (YYYY-MM-DD), if any

    @property
    def source_text(self) -> str:
        """The text as written (evidence quotes this)."""
        return self.original or self.text


@dataclass(frozen=True)
class Sentence:
    """A sentence with its character offsets in the document text (end exclusive)."""

    start: int
    end: int
    text: str
    section: int


@dataclass(frozen=True)
class Section:
    """A run of text under one heading (an article or a part of one) with its heading text."""

    start: int
    end: int
    heading: str
    level: int


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode a file's bytes by evidence (kg.corpus.encoding); (text, codec) or InputError."""
    res = decode_file(data, name)
    return res.text, res.encoding


def decode_file(data: bytes, name: str, *, declared: str | None = None) -> Decoded:
    """Decode bytes as `decode` does, keeping the confidence and the warnings on the way.

    Empty and binary files raise InputError naming `name`; text that decodes but cannot be
    an article (no Chinese, mostly �) or whose encoding is uncertain comes with warnings.
    """
    res = detect(data, name, declared=declared)
    text = res.text
    if not text.strip().lstrip("\ufeff").strip():
        raise InputError(f"{name}: empty file, nothing to extract")
    sample = text[:20000]
    control = len(_CONTROL.findall(sample))
    if control > max(3, len(sample) // 100):
        raise InputError(f"{name}: binary file ({control} control characters), not text")
    return res


def normalise(text: str) -> str:
    """Unify line ends and map full-width digits, letters and spaces to ASCII."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_FULLWIDTH)


def read_document(path: Path, *, warn: Callable[[str], None] | None = None,
                  doc_id: str | None = None) -> Document:
    """Read, decode and normalise one file; raise InputError naming it when that fails.

    Doubts that do not stop the reading go into `Document.warnings` and, given `warn`, to it.
    `doc_id` is the caller's name for it (see `kg.build.pipeline.corpus_files`), by default
    the file name without extension.
    """
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, expected a file") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror})") from None
    is_html = path.suffix.lower() in (".html", ".htm") or bool(_HTML_SNIFF.match(data[:2048]))
    declared = _declared_charset(data[:4096]) if is_html else None
    decoded = decode_file(data, name, declared=declared)
    raw, enc = decoded.text, decoded.encoding
    title = ""
    published = ""
    if is_html:
        # start-up: web text extraction only for HTML files
        from kg.corpus.web import meta_date, page_text

        published = meta_date(raw) or ""
        raw, title = page_text(raw)
        if not raw.strip():
            raise InputError(f"{name}: HTML page without text")
    warnings = list(decoded.warnings) + content_warnings(raw, name, enc)
    if warn is not None:
        for msg in warnings:
            warn(msg)
    original = normalise(raw)
    text = to_simplified(original)
    return Document(
        doc_id=path.stem if doc_id is None else doc_id,
        path=name,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=enc,
        title=to_simplified(title) if title else find_title(text),
        original=original if text != original else "",
        warnings=tuple(warnings),
        published=published,
    )


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)


def _declared_charset(head: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, if any."""
    m = _CHARSET.search(head)
    return m.group(1).decode("ascii") if m else None


_T2S = None


def _opencc():  # type: ignore[no-untyped-def]
    """OpenCC's traditional → simplified converter, loaded once (False without opencc)."""
    global _T2S
    if _T2S is None:
        try:
            import opencc  # optional: opencc only for traditional-script input
        except ImportError:  # pragma: no cover - opencc is a dependency
            _T2S = False
        else:
            _T2S = opencc.OpenCC("t2s")
    return _T2S


def to_simplified(text: str) -> str:
    """Traditional characters → simplified with OpenCC, keeping one character for one.

    Text that is already simplified is returned unchanged; OpenCC's phrase conversions that
    would change the length fall back to converting character by character.
    """
    t2s = _opencc()
    if not t2s:
        return text
    sample = text[:5000]
    converted = t2s.convert(sample)
    if converted == sample:
        return text  # the common case, decided without a character loop
    changed = sum(1 for a, b in zip(sample, converted, strict=False) if a != b)
    if changed < max(2, len(sample) // 500):
        return text  # simplified already (a stray traditional form is left alone)
    out = t2s.convert(text)
    if len(out) != len(text):
        out = "".join(t2s.convert(ch) if ord(ch) > 0x2E80 else ch for ch in text)
        if len(out) != len(text):
            return text
    return out


def simplify_name(name: str) -> str:
    """A name as extraction writes it: simplified characters and half-width digits and Latin
    letters, one for one (蘇州工業園區 → 苏州工业园区, 年产２万吨 → 年产2万吨).

    Unlike to_simplified this converts short strings unconditionally: scoring compares the
    names extraction gives with gold names written as the text has them.
    """
    name = name.translate(_FULLWIDTH)
    t2s = _opencc()
    if not t2s or name.isascii():
        return name
    return "".join(t2s.convert(ch) if ord(ch) > 0x2E80 else ch for ch in name)


def find_title(text: str) -> str:
    """The first non-empty line, without markdown heading marks."""
    for line in text.split("\n"):
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def iter_files(paths: Iterable[Path], on_error: Callable[[str], None] | None = None
               ) -> Iterator[Path]:
    """Expand directories into their text and HTML files (sorted), keeping given files.

    Directory symlinks are not followed (no loops); unreadable directories are reported
    through `on_error` and skipped.
    """
    for path in paths:
        if path.is_dir():
            found: list[Path] = []

            def report(exc: OSError) -> None:
                if on_error is not None:
                    on_error(f"{exc.filename}: cannot read directory ({exc.strerror})")

            for root, dirs, files in os.walk(path, onerror=report, followlinks=False):
                dirs.sort()
                for f in files:
                    p = Path(root) / f
                    if p.suffix.lower() in SUFFIXES:
                        found.append(p)
            yield from sorted(found)
        else:
            yield path


_LEAD = ("本报讯", "◎", "本报记者", "讲述人", "科技日报", "新华社", "记者", "经济日报", "人民日报")
_BYLINE_END = re.compile(r"^[(（][^()（）]{0,30}(?:本报记者|记者|整理|通讯员)[^()（）]*[)）]$")
_NOT_HEADING_START = ("图", "(", "（", "◎", "——", "本报", "责任编辑", "编辑", "来源", "讲述人",
                      "通讯员", "实习生", "记者", "地址", "邮编", "电话", "网址", "---")


def sections(text: str) -> list[Section]:
    """Split text at headings: markdown ones, or short lines without sentence punctuation.

    A heading followed by a news lead (本报讯, ◎本报记者…) or coming after a closing byline
    starts a new article (level 1); other plain headings are sub-headings (level 2).
    """
    lines = text.split("\n")
    out: list[Section] = []
    pos = 0
    cur_start, cur_head, cur_level = 0, "", 1
    prev_line = ""
    for i, line in enumerate(lines):
        stripped = line.strip()
        level = 0
        head = ""
        m = _HEADING.match(stripped)
        if m:
            level, head = len(m.group(1)), m.group(2)
        elif _looks_like_heading(stripped):
            level, head = 2, stripped
        if level:
            if _lead_follows(lines, i) or _BYLINE_END.match(prev_line) or not prev_line:
                level = 1
            if pos > cur_start:
                out.append(Section(cur_start, pos, cur_head, cur_level))
            cur_start, cur_head, cur_level = pos, head, level
        if stripped:
            prev_line = stripped
        pos += len(line) + 1
    out.append(Section(cur_start, len(text), cur_head, cur_level))
    return out


def _looks_like_heading(line: str) -> bool:
    """A short line with no sentence punctuation: a title or sub-title."""
    if not 2 <= len(line) <= 30 or line.startswith(_NOT_HEADING_START):
        return False
    if _NOT_HEADING.search(line):
        return False
    return not line.replace(" ", "").isdigit()


def _lead_follows(lines: list[str], i: int) -> bool:
    seen = 0
    for nxt in lines[i + 1 : i + 8]:
        nxt = nxt.strip()
        if nxt:
            if nxt.startswith(_LEAD):
                return True
            seen += 1
            if seen >= 2:
                return False
    return False


def sentences(text: str, secs: list[Section] | None = None) -> list[Sentence]:
    """Split text into sentences at 。！？； and line breaks, keeping character offsets."""
    secs = secs if secs is not None else sections(text)
    out: list[Sentence] = []
    sec_idx = 0
    start = 0
    for m in _SENT_END.finditer(text):
        line_break = not m.group().strip()
        if line_break and _broken_line(text, m.start(), m.end()):
            continue  # "投资7.8亿元的\n\n医药健康科创园…": a page broken mid-sentence
        end = m.start() if line_break else m.end()
        _add_sentence(out, text, start, end, secs, sec_idx)
        start = m.end()
        while sec_idx + 1 < len(secs) and secs[sec_idx + 1].start <= start:
            sec_idx += 1
    _add_sentence(out, text, start, len(text), secs, sec_idx)
    return out


def _broken_line(text: str, start: int, end: int) -> bool:
    """True when the line break at text[start:end] cuts a sentence: the line before ends in
    a word that cannot end one (的, 、, 和…) and the next line goes on in Chinese."""
    j = start  # (the end of text[:start].rstrip(" \t\u3000"), without copying the text)
    while j > 0 and text[j - 1] in " \t\u3000":
        j -= 1
    return j > 0 and text[j - 1] in _CONTINUES and bool(_HAN_CHAR.match(text, end, end + 1))


def _add_sentence(
    out: list[Sentence], text: str, start: int, end: int, secs: list[Section], sec_idx: int
) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        while sec_idx + 1 < len(secs) and secs[sec_idx + 1].start <= start:
            sec_idx += 1
        out.append(Sentence(start, end, text[start:end], sec_idx))
