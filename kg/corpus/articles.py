"""Articles of a document and their publication dates: a file may hold several articles (a
newsletter, a page of news), each with its title lines, and a date read from a date line near
its top, a source line (来源：火炬动态 2024-12-06), a dateline (2月26日电) or a side file.

The words that mark a dateline or a source line come from kg/patterns/times.toml.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from kg.corpus import Section, sections
from kg.errors import InputError
from kg.lang.rules import _read_toml
from kg.lang.times import TimeParser, load_times, parse_date, precision_of

__all__ = ["ArticleSpan", "DatedArticle", "anchor_at", "find_articles", "read_date_file",
           "side_date"]


@dataclass(frozen=True)
class ArticleSpan:
    """One article's character span in a document and its title (None when untitled)."""

    start: int
    end: int
    title: str | None


@dataclass(frozen=True)
class DatedArticle:
    """An article with its publication date: value, precision, the words it was read from,
    where those words are (offsets in the document) and how it was found."""

    start: int
    end: int
    title: str | None
    published: str | None = None
    precision: str | None = None
    text: str | None = None
    source: str = ""
    date_start: int = 0
    date_end: int = 0

    def anchor(self) -> date | None:
        """The date relative time words of this article are resolved against."""
        return parse_date(self.published) if self.published else None


class _Rules:
    def __init__(self, root: Path | None = None) -> None:
        pub = _read_toml("times.toml", root)["publication"]
        self.dateline_end = tuple(pub["dateline_end"])
        self.dateline_window = int(pub["dateline_window"])
        self.source_words = tuple(pub["source_words"])
        self.line_chars = int(pub["date_line_chars"])
        self.line_lines = int(pub["date_line_lines"])
        self.reprint_days = int(pub["reprint_days"])
        self.marks = tuple(pub["sentence_marks"])
        self.byline_chars = int(pub["byline_chars"])
        self.title_chars = int(pub["article_title_chars"])
        self.leads = tuple(pub["article_leads"])
        self.target_before = tuple(pub["target_before"])
        ends = "|".join(re.escape(w) for w in self.dateline_end)
        self.dateline = re.compile(rf"(?<!\d)(\d{{1,2}})月(\d{{1,2}})日(?:{ends})")
        self.year = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年|-|/|\.)")
        verbs = "|".join(re.escape(w) for w in pub["annual_verbs"])
        units = "|".join(re.escape(w) for w in pub["annual_units"])
        chars = int(pub["annual_chars"])
        # 2023年(,)…完成…1295亿元; not 2023年1-11月, 2023年上半年, 2023年一季度 (a part of it)
        self.annual = re.compile(
            rf"(?<!\d)((?:19|20)\d{{2}})年(?![\d上下前一二三四第底末初])(?:全年)?"
            rf"[^。；;！？\n]{{0,{chars}}}?(?:{verbs})[^。；;！？\n，,]{{0,8}}?"
            rf"\d+(?:\.\d+)?(?:{units})")


_RULES: dict[Path | None, _Rules] = {}


def _rules(root: Path | None) -> _Rules:
    if root not in _RULES:
        _RULES[root] = _Rules(root)
    return _RULES[root]


def split_articles(text: str, secs: list[Section] | None = None, *,
                   root: Path | None = None) -> list[ArticleSpan]:
    """The articles of a text: level-1 sections and markdown headings start one; heading-only
    parts before one are its title lines (kicker + title), a short one after one its byline."""
    rules = _rules(root)
    parser = load_times(root)
    secs = secs if secs is not None else sections(text)
    spans: list[list] = []  # [start, end, titles]
    pending: list[str] = []
    pending_start: int | None = None
    for sec in secs:
        line_start = text.rfind("\n", 0, sec.start + 1) + 1
        markdown = text[line_start:sec.start + 3].lstrip().startswith("#")
        heading = sec.heading.strip()
        body = text[sec.start:sec.end].strip()
        if heading and body.startswith(("#", heading)) or heading in body[:len(heading) + 8]:
            body = body.split("\n", 1)[1].strip() if "\n" in body else ""
        is_date = bool(heading) and _full_date(parser, heading) is not None
        if heading and spans and not pending and not any(c.isalpha() for c in heading):
            spans[-1][1] = sec.end  # figures only (「03/18」「13:12」 under a year): no title
            continue
        starts = sec.start == 0 or ((sec.level == 1 or markdown)
                                    and (not body or _article_heading(rules, heading, body)))
        if not body and heading and not is_date:
            if (len(heading) <= rules.byline_chars and spans and not pending):
                spans[-1][1] = sec.end  # an author line closing the article before
                continue
            if starts or pending or not spans:
                pending.append(heading)
                pending_start = sec.start if pending_start is None else pending_start
                continue
        if (starts or not spans) or pending:
            titles = pending + ([heading] if heading and not is_date and starts else [])
            start = sec.start if pending_start is None else pending_start
            if not titles and not body and not spans:
                continue  # blank lines opening the file
            spans.append([start, sec.end, titles])
            pending, pending_start = [], None
        else:
            spans[-1][1] = sec.end
    if pending and spans:
        spans[-1][1] = len(text)
    if not spans:
        spans = [[0, len(text), []]]
    first = _first_line_title(rules, text)
    if first is not None and not spans[0][2] and _full_date(parser, first[2]) is None:
        spans[0][2] = [first[2]]
    spans[0][0] = 0
    for i in range(1, len(spans)):
        spans[i - 1][1] = spans[i][0]
    spans[-1][1] = len(text)
    return [ArticleSpan(s, e, " ".join(t) if t else None) for s, e, t in spans]


_COLONS = (":", "：")
_QUOTES_SPACES = re.compile(r"[\s“”‘’\"'「」《》]")


def _article_heading(rules: _Rules, heading: str, body: str) -> bool:
    """A heading that opens an article, not a part of one: long, or X:Y, or a lead follows."""
    if any(c in heading for c in _COLONS):
        return True
    if len(_QUOTES_SPACES.sub("", heading)) >= rules.title_chars:
        return True
    return body.lstrip("#* ").startswith(rules.leads)


def _first_line_title(rules: _Rules, text: str) -> tuple[int, int, str] | None:
    """The document's first line when it reads as a title (no sentence marks, not too long)."""
    m = re.match(r"\s*", text)
    start = m.end() if m else 0
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    line = text[start:end].strip().lstrip("#").strip()
    if not line or len(line) > rules.line_chars or any(c in line for c in rules.marks):
        return None
    return start, end, line


def _full_date(parser: TimeParser, line: str):  # type: ignore[no-untyped-def]
    for hit in parser.find(line):
        if hit.precision == "day":
            return hit
    return None


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    pos = start
    for line in text[start:end].split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def date_of(text: str, span: ArticleSpan, *, root: Path | None = None,
            context_year: int | None = None) -> DatedArticle:
    """The article's publication date from its own text: a date line among its first lines,
    a source line, or a dateline whose year comes from `context_year` or the text."""
    rules = _rules(root)
    parser = load_times(root)
    lines = _lines(text, span.start, span.end)
    base = DatedArticle(span.start, span.end, span.title)
    head = lines[: rules.line_lines + (span.title or "").count(" ") + 1]
    for k, (pos, line) in enumerate(head):
        stripped = line.strip()
        if len(stripped) > rules.line_chars:
            continue
        read = stripped
        if _YEAR_ONLY.fullmatch(stripped) and k + 1 < len(head):
            read = f"{stripped} {head[k + 1][1].strip()}"  # 「2021」 over 「03/18」: one date
        hit = _full_date(parser, read)
        if hit is None or (any(m in stripped for m in rules.marks)
                           and not any(w in stripped for w in rules.source_words)):
            continue
        off = pos + line.index(stripped)
        end = off + len(stripped)
        if read != stripped:
            end = head[k + 1][0] + len(head[k + 1][1].rstrip())
        found = replace(base, published=hit.value, precision="day", text=read,
                        source="date_line", date_start=off, date_end=end)
        return _reprint(rules, found, lines) or found
    for pos, line in lines:
        stripped = line.strip()
        if len(stripped) <= rules.line_chars * 2 and any(w in stripped
                                                       for w in rules.source_words):
            hit = _full_date(parser, stripped)
            if hit is not None:
                off = pos + line.index(stripped)
                return replace(base, published=hit.value, precision="day", text=stripped,
                               source="source_line", date_start=off,
                               date_end=off + len(stripped))
    for pos, line in lines[: rules.line_lines]:
        m = rules.dateline.search(line, 0, rules.dateline_window)
        if m is None:
            continue
        year = context_year or _latest_year(rules, text[span.start:span.end])
        if year is None:
            break
        if context_year is None and any(
                int(a.group(1)) == year for a in rules.annual.finditer(text, span.start,
                                                                         span.end)):
            year += 1  # 2023年完成地区生产总值1295亿元: reported in 2024
        try:
            value = date(year, int(m.group(1)), int(m.group(2))).isoformat()
        except ValueError:
            break
        return replace(base, published=value, precision="day", text=m.group(),
                       source="dateline", date_start=pos + m.start(), date_end=pos + m.end())
    return base


_YEAR_ONLY = re.compile(r"(?:19|20)\d{2}")


def _reprint(rules: _Rules, found: DatedArticle, lines: list[tuple[int, str]]
             ) -> DatedArticle | None:
    """A page date line over a dateline of earlier that year (「时间:2009-08-19」 above
    「南京5月26日电」): the page reprints the report, whose date is the dateline's."""
    if found.published is None:
        return None
    page = date.fromisoformat(found.published)
    for pos, line in lines[: rules.line_lines]:
        m = rules.dateline.search(line, 0, rules.dateline_window)
        if m is None:
            continue
        try:
            told = date(page.year, int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
        if told >= page or (page - told).days <= rules.reprint_days:
            return None  # (本报6月28日讯 in the paper of the 29th: the page's date stands)
        return replace(found, published=told.isoformat(), text=m.group(), source="dateline",
                       date_start=pos + m.start(), date_end=pos + m.end())
    return None


def _latest_year(rules: _Rules, text: str) -> int | None:
    """The latest year the text names as past or present: not a target (到2035年…)."""
    years = [int(m.group(1)) for m in rules.year.finditer(text)
             if not text[max(0, m.start() - 2):m.start()].endswith(rules.target_before)]
    return max(years) if years else None


def find_articles(text: str, *, root: Path | None = None, side_date: str | None = None,
                  side_text: str = "", meta_date: str | None = None) -> list[DatedArticle]:
    """Every article of a document with its date: its own, else the document's date line
    (a newsletter's issue date on top serves all its articles), else `meta_date` (the date an
    HTML page's <meta> tags give), else `side_date` (a date the user supplies for the file)."""
    spans = split_articles(text, root=root)
    dated = [date_of(text, s, root=root) for s in spans]
    first = next((a for a in dated if a.published and a.source == "date_line"
                  and a.date_start < (dated[0].end if len(dated) > 1 else len(text))), None)
    if first is not None and first.date_start < dated[0].end:
        year = int(first.published[:4]) if first.published else None
        out = []
        for span, art in zip(spans, dated, strict=True):
            if art.source == "dateline" and year:
                art = date_of(text, span, root=root, context_year=year)
            if art.published is None:
                art = replace(art, published=first.published, precision=first.precision,
                              text=first.text, source="document", date_start=first.date_start,
                              date_end=first.date_end)
            out.append(art)
        dated = out
    if meta_date:
        dated = [a if a.published else replace(a, published=meta_date, precision="day",
                                               text=meta_date, source="meta")
                 for a in dated]
    if side_date:
        dated = [a if a.published else replace(a, published=side_date,
                                               precision=precision_of(side_date),
                                               text=side_text or side_date, source="side_file")
                 for a in dated]
    return dated


def anchor_at(articles: list[DatedArticle], pos: int) -> date | None:
    """The publication date of the article holding character `pos` (None when undated)."""
    for art in articles:
        if art.start <= pos < art.end:
            return art.anchor()
    return articles[-1].anchor() if articles and pos >= articles[-1].end else None


def side_date(dates: dict[str, str] | None, path: str, doc_id: str = "") -> str | None:
    """The date a side file gives for a document: by its path, file name, stem or id."""
    if not dates:
        return None
    p = Path(path)
    for key in (path, str(p.resolve()) if path else "", p.name, p.stem, doc_id):
        if key and key in dates:
            return dates[key]
    return None


_SIDE_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def read_date_file(path: Path) -> dict[str, str]:
    """A side file of publication dates: CSV rows `path,date` (date 2024-06-15, 2024-06 or
    2024; a header row `path,date` allowed). Keys are the paths as written and their file
    names; a bad row raises InputError naming the file and line."""
    try:
        raw = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read date file ({exc.strerror or exc})") from None
    out: dict[str, str] = {}
    for n, row in enumerate(csv.reader(raw.splitlines()), 1):
        if not row or not "".join(row).strip() or row[0].startswith("#"):
            continue
        if n == 1 and [c.strip().lower() for c in row[:2]] == ["path", "date"]:
            continue
        if len(row) < 2:
            raise InputError(f"{path}:{n}: expected 'path,date', got {','.join(row)!r}")
        key, value = row[0].strip(), row[1].strip()
        if not _SIDE_DATE.fullmatch(value) or parse_date(value) is None:
            raise InputError(f"{path}:{n}: not a date (YYYY-MM-DD, YYYY-MM or YYYY): {value!r}")
        out[key] = value
        out.setdefault(Path(key).name, value)
        out.setdefault(Path(key).stem, value)
    return out
