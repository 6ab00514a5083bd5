"""Documents → spaCy Docs → DocRecords; the only module that reads the pk_ extensions of a Doc."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from kg.corpus import Document
from kg.corpus.articles import DatedArticle, find_articles
from kg.extract.records import (
    Article,
    DocRecord,
    Entity,
    Evidence,
    Observation,
    Relation,
    TimeValue,
)
from kg.lang.times import TimeHit, load_times, precision_of
from kg.nlp.indicators import ObservationHit, context_anchor
from kg.nlp.pipeline import annotate
from kg.nlp.spans import Amount, Mention, RelationHit, clause_start, doc_text

CHUNK_CHARS = 100_000  # longer texts are read in pieces of about this size, cut at line ends
# Pinyin in brackets after a character, as some mirror sites print a page (产(chǎn)业(yè)园): a
# script class, not linguistic data. Pages with a few of them are read without them, and the
# names and evidence are given back as written.
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")
_PINYIN_PAGE = 3  # fewer annotations than this: brackets of another kind, left alone


def to_record(doc: Doc, document: Document, *, offset: int = 0,
              articles: list[DatedArticle] | None = None) -> DocRecord:
    """Group a Doc's mentions into entities (one per key); its relation hits become records,
    with the time their sentence gives; its observation hits become observations.

    `offset` is where the Doc's text starts in the document (a piece of a long text);
    `articles` the document's articles with their dates (kg.corpus.articles), when known.
    """
    mentions: list[Mention] = doc._.pk_mentions or []
    source = document.source_text  # evidence quotes the text as written (traditional kept)
    entities: dict[tuple[str, str], Entity] = {}
    for m in mentions:
        ent = entities.get((m.type, m.key))
        if ent is None:
            ent = entities[(m.type, m.key)] = Entity(name=m.key, type=m.type, rule=m.rule)
        ent.mentions.append((m.start + offset, m.end + offset))
        if m.text != ent.name and m.text not in ent.aliases:
            ent.aliases.append(m.text)
    names = {key: e.name for key, e in entities.items()}
    relations: dict[tuple, Relation] = {}
    time_levels: dict[tuple, int] = {}  # how directly each relation's time was found
    for hit in doc._.pk_relations or []:
        head = names.get((hit.head.type, hit.head.key))
        if head is None:
            continue
        s, e = hit.sent_start + offset, hit.sent_end + offset
        ev = Evidence(source[s:e], s, e, hit.rule)
        extra = []
        if hit.context is not None:
            cs, ce = hit.context[0] + offset, hit.context[1] + offset
            extra.append(Evidence(source[cs:ce], cs, ce, hit.rule))
        if isinstance(hit.tail, Amount):
            cny = hit.tail.currency == "CNY"
            rel = Relation(head, hit.relation, amount_cny=hit.tail.value if cny else None,
                           amount_text=hit.tail.text, qualifier=hit.tail.qualifier or None,
                           amount=None if cny else hit.tail.value,
                           currency=None if cny else hit.tail.currency)
        else:
            tail = names.get((hit.tail.type, hit.tail.key))
            if tail is None or tail == head:
                continue
            rel = Relation(head, hit.relation, tail)
        if rel.relation == "invests" and any(
                k[0] == head and k[1] == "invests" and k[3] != rel.key()[3] for k in relations):
            continue  # one investment per project and document: the best rule's, found first
        time, level = _fact_time(doc, hit, articles) if articles is not None else (None, 9)
        if rel.key() in relations:
            relations[rel.key()].evidence.append(ev)
            if time is not None and level < time_levels.get(rel.key(), 9):
                relations[rel.key()].time = time  # found more directly in this sentence
                time_levels[rel.key()] = level
        else:
            rel.evidence += [ev, *extra]
            rel.time = time
            relations[rel.key()] = rel
            if time is not None:
                time_levels[rel.key()] = level
    ents = sorted(entities.values(), key=lambda e: e.mentions[0][0])
    for e in ents:
        e.mentions.sort()
    observations = [_observation(h, names, source, offset)
                    for h in doc._.pk_observations or []]
    return DocRecord(
        doc_id=document.doc_id,
        entities=ents,
        relations=list(relations.values()),
        title=document.title,
        path=document.path,
        sha256=document.sha256,
        text=document.text,
        observations=[o for o in observations if o is not None],
    )


_PRECISE = {"day": 0, "month": 1, "quarter": 2, "half": 3, "year": 4, "range": 5}
_LEAD_CHARS = 16  # a time this near a sentence's start dates the event the sentence opens


def _fact_time(doc: Doc, hit: RelationHit, articles: list[DatedArticle]
               ) -> tuple[TimeValue | None, int]:
    """The time of a relation fact: the most precise time its sentence gives before the later
    of its two ends (8月16日 over the 2019年 of 2019年第二批重点项目), else after them; else
    the time of another sentence of the article that names the tail; else the time opening
    the article's first sentence that opens with one (the date of the signing or start event
    a list of projects follows). A time a fact verb follows (2002年成立于…) comes first.
    Times inside quotes or names and datelines are none. Returns the time and how it was
    found (0 best: in the sentence, before a verb … 4: the event's date), to choose among
    the sentences of one relation."""
    text = doc_text(doc)
    s, e = hit.sent_start, hit.sent_end
    art = next((a for a in articles if a.start <= s < a.end), None)
    anchor = None if art is None else (art.anchor() or context_anchor(text, art.start, art.end))
    published = None if art is None or art.published is None else _ends(art.published)
    mentions: list[Mention] = doc._.pk_mentions or []
    spans = sorted((m.start, m.end) for m in mentions)
    parser = load_times()

    cache: dict[tuple, list[TimeHit]] = doc.user_data.setdefault("pk_fact_times", {})

    def times_in(lo: int, hi: int) -> list[TimeHit]:
        key = (lo, hi, anchor)
        if key not in cache:
            cache[key] = _times_in(lo, hi)
        return cache[key]

    def _times_in(lo: int, hi: int) -> list[TimeHit]:
        out = []
        for h in parser.find(text, anchor, lo, hi):
            if any(ms <= h.start < me for ms, me in spans if ms < hi and me > lo):
                continue
            if art is not None and art.date_start <= h.start < art.date_end:
                continue
            if text.startswith(parser.dateline_ends, h.end):
                continue  # 本报6月28日讯: the report's date, not the fact's
            if _quoted(text, lo, h.start):
                continue
            if published is not None and _starts(h.value) > published:
                continue  # 预计2022年投产 in an article of July 2021: a plan, not the fact's time
            out.append(h)
        return out

    def best(hits: list[TimeHit], pivot: int) -> TimeHit | None:
        if not hits:
            return None
        # the most precise; of equals, the last before the pivot, else the first after it
        return min(hits, key=lambda h: (_rank(h), h.start >= pivot,
                                        -h.start if h.start < pivot else h.start))

    def verbal(hits: list[TimeHit]) -> list[TimeHit]:
        return [h for h in hits if parser.verb_follows(text, h)]

    pivot = max(hit.head.start, hit.tail.start)
    here = times_in(s, e)
    got, level = best(verbal(here), pivot), 0
    lo = art.start if art is not None else 0
    sents = [x for x in doc._.pk_sentences or [] if lo <= x.start and x.end <= (
        art.end if art is not None else len(text))]
    others: list[tuple[list[TimeHit], int]] = []
    if got is None and isinstance(hit.tail, Mention):
        for m in mentions:
            if m.key != hit.tail.key or m.type != hit.tail.type or s <= m.start < e:
                continue
            sent = next((x for x in sents if x.start <= m.start < x.end), None)
            if sent is not None:
                others.append((times_in(sent.start, sent.end), m.start))
        if hit.tail.type == "Project":  # 「项目于2021年12月份开工」 after the project's name
            for x in sents:
                body = text[x.start:x.end].lstrip()
                at = x.end - len(body)
                if x.start == s or not body.startswith(parser.back_refs):
                    continue
                last = [m for m in mentions if m.type == "Project" and m.end <= at]
                if last and last[-1].key == hit.tail.key:
                    others.append((times_in(x.start, x.end), at))
        got, level = next(((t, 1) for hits, at in others
                           if (t := best(verbal(hits), at)) is not None), (None, 0))
    if got is None:
        got, level = best(here, pivot), 2
    if got is None:
        got, level = next(((t, 3) for hits, at in others if (t := best(hits, at)) is not None),
                          (None, 0))
    relative_day = got is not None and got.text in parser.rel_days
    if got is None or got.precision in ("quarter", "half", "year") or relative_day:
        event = None
        told: dict[int, bool] = doc.user_data.setdefault("pk_event_sentences", {})

        def tells_event(x: Any) -> bool:  # (asked once a sentence, not once a relation)
            if x.start not in told:
                told[x.start] = any(w in text[x.start:x.end] for w in parser.event_words)
            return told[x.start]

        leads = [h for x in sents if (got is not None or x.end <= s or x.start == s)
                 and tells_event(x)
                 for h in times_in(x.start, x.end)
                 if h.start - _body_start(text, x.start, x.end) < _LEAD_CHARS
                 or clause_start(text, h.start) >= h.start - 1
                 or text[h.start - 1:h.start] in parser.event_markers]
        tiers = [("day", "month")] + ([] if got is not None else [("quarter", "half"), ("fair",)])
        for fine in tiers:
            event = next((h for h in leads if h.precision in fine
                          or "day" in fine and _rank(h) < 1  # (15日至16日)
                          or "fair" in fine and h.text.isdigit()  # (2019厦门…洽谈会…签订)
                          and _deal_told(text, h.start, parser.deal_words)), None)
            if event is not None:
                break
        if relative_day:  # 「今天签约的…」 under 「4月7日…签约仪式举行」 in a page of the 15th
            if event is not None and event.precision == "day" and event.value < got.value:
                got = event
            event = None
        # the event's date, where the sentence gives none or one the event's date lies in
        # (长株潭新能源产业园: 四季度 of the headline, 10月8日 of the lead)
        if event is not None and got is None:
            got, level = event, 4
        elif event is not None and got is not None and (
                _PRECISE[event.precision] < _PRECISE[got.precision]
                and _within(event.value, got.value)):
            got = event
    return (None if got is None else TimeValue(got.value, got.precision, got.text)), level


_BYLINE = re.compile(r"\s*(?:[(（【\[][^()（）【】\[\]]{0,40}[)）】\]]\s*)?")
_DATELINE: re.Pattern[str] | None = None


def _deal_told(text: str, pos: int, words: tuple[str, ...]) -> bool:
    """True when the sentence holding `pos` tells of a deal (签约, 签订, 开工…)."""
    lo = max(text.rfind(c, 0, pos) for c in "。！？\n") + 1
    ends = [i for i in (text.find(c, pos) for c in "。！？\n") if i != -1]
    return any(w in text[lo:min(ends) if ends else len(text)] for w in words)


def _body_start(text: str, start: int, end: int) -> int:
    """Where a sentence's own words start: after a dateline (央广网广州2月21日消息) and a
    bracketed byline (（记者 丁白玉）10月8日…)."""
    global _DATELINE
    if _DATELINE is None:
        ends = "|".join(re.escape(w) for w in load_times().dateline_ends)
        leads = "|".join(re.escape(w) for w in load_times().lead_words)
        _DATELINE = re.compile(rf"\s*[^，。,；;]{{0,24}}?\d{{1,2}}月\d{{1,2}}日(?:{ends})"
                               rf"|\s*[^，。,；;\s]{{2,12}}?(?:{leads})(?=[\s(（])")
    m = _DATELINE.match(text, start, end)
    start = m.end() if m else start
    m = _BYLINE.match(text, start, end)
    return m.end() if m else start


def _starts(value: str) -> date:
    """The first day of a time value (2022 → 2022-01-01, 2024-Q3 → 2024-07-01)."""
    first = value.split("/")[0]
    year, _, rest = first.partition("-")
    if not rest:
        return date(int(year), 1, 1)
    if rest.startswith("Q"):
        return date(int(year), 3 * int(rest[1]) - 2, 1)
    if rest.startswith("H"):
        return date(int(year), 6 * int(rest[1]) - 5, 1)
    month, _, day = rest.partition("-")
    return date(int(year), int(month), int(day or 1))


def _ends(value: str) -> date:
    """The last day of a publication date's value (2025-08 → 2025-08-31, 2024 → 2024-12-31)."""
    parts = [int(x) for x in value.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 2:
        year, month = parts[0] + parts[1] // 12, parts[1] % 12 + 1
        return date(year, month, 1) - timedelta(days=1)
    return date(parts[0], 12, 31)


def _rank(hit: TimeHit) -> float:
    """How precise a time is, 0 the most; a range ranks just after its ends' precision."""
    if hit.precision != "range":
        return _PRECISE[hit.precision]
    return _PRECISE[precision_of(hit.value.split("/")[0])] + 0.5


def _within(value: str, period: str) -> bool:
    """True when a day or month value lies in a year, half or quarter value."""
    year, _, rest = period.partition("-")
    if not value.startswith(year):
        return False
    if not rest:
        return True
    month = int(value[5:7]) if len(value) >= 7 else 0
    if rest.startswith("Q"):
        return 3 * int(rest[1]) - 2 <= month <= 3 * int(rest[1])
    if rest.startswith("H"):
        return 6 * int(rest[1]) - 5 <= month <= 6 * int(rest[1])
    return False


_OPEN, _CLOSE = "“《「『", "”》」』"


def _quoted(text: str, start: int, pos: int) -> bool:
    """True when `pos` lies inside quotes or book-title marks opened since `start`."""
    depth = 0
    for ch in text[start:pos]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
    return depth > 0


def _observation(hit: ObservationHit, names: dict[tuple[str, str], str], source: str,
                 offset: int) -> Observation | None:
    park = names.get(("Park", hit.park.key))
    if park is None:
        return None
    cs, ce = hit.clause[0] + offset, hit.clause[1] + offset
    ss, se = hit.sentence[0] + offset, hit.sentence[1] + offset
    period = None if hit.period is None else TimeValue(hit.period.value, hit.period.precision,
                                                       hit.period.text)
    return Observation(park, hit.indicator, hit.value, hit.unit, period, hit.growth_pct,
                       source[cs:ce], hit.value_text, Evidence(source[ss:se], ss, se, hit.rule))


def articles_of(document: Document, articles: list[DatedArticle]) -> list[Article]:
    """The record form of a document's articles, the date's words quoted as written."""
    source = document.source_text
    out = []
    for a in articles:
        ev = None
        if a.published is not None and a.date_end > a.date_start:
            ev = Evidence(source[a.date_start:a.date_end], a.date_start, a.date_end,
                          f"published.{a.source}")
        out.append(Article(a.title, a.published, a.precision, a.text, a.start, a.end,
                           a.source, ev))
    return out


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """Pieces of at most about `size` characters, cut after a line break where there is one."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            if cut == -1:
                cut = max(text.rfind(c, start + size // 2, end) for c in "。！？；")
            if cut != -1:
                end = cut + 1
        yield start, text[start:end]
        start = end


def merge_records(parts: list[DocRecord]) -> DocRecord:
    """One record from the records of a long document's pieces (entities met by name)."""
    first = parts[0]
    entities: dict[tuple[str, str], Entity] = {}
    relations: dict[tuple, Relation] = {}
    for part in parts:
        for e in part.entities:
            have = entities.setdefault((e.type, e.name), Entity(e.name, e.type, rule=e.rule))
            have.mentions += e.mentions
            have.aliases += [a for a in e.aliases if a not in have.aliases]
        for r in part.relations:
            if r.key() in relations:
                relations[r.key()].evidence += r.evidence
            else:
                relations[r.key()] = r
    observations = [o for part in parts for o in part.observations]
    return DocRecord(first.doc_id, list(entities.values()), list(relations.values()),
                     title=first.title, path=first.path, sha256=first.sha256, text=first.text,
                     observations=observations)


def extract_one(document: Document, nlp: Language, *, published: str | None = None
                ) -> DocRecord:
    """The record of one document; a long text is read piece by piece to bound memory, and a
    page printed with pinyin after its characters is read without it.

    `published` is a date the user gives for the file (a side file), used for the articles
    whose text shows none.
    """
    annotations = list(_PINYIN.finditer(document.text))
    if len(annotations) >= _PINYIN_PAGE:
        return _without_pinyin(document, annotations, nlp, published)
    return _extract_one(document, nlp, published=published)


def _without_pinyin(document: Document, annotations: list[re.Match[str]],
                    nlp: Language, published: str | None) -> DocRecord:
    """Extract from the text with its pinyin annotations taken out, then give every name,
    mention and evidence sentence back as the page writes it (苏州工业(yè)园区(qū))."""
    keep: list[int] = []  # for each character of the reading text, its offset in the page
    pos = 0
    for m in annotations:
        keep += range(pos, m.start())
        pos = m.end()
    keep += range(pos, len(document.text))
    text = "".join(document.text[i] for i in keep)
    original = "".join(document.original[i] for i in keep) if document.original else ""
    rec = _extract_one(replace(document, text=text, original=original), nlp,
                       published=published)
    page, source = document.text, document.source_text

    def span(start: int, end: int) -> tuple[int, int]:
        # (the pinyin after a span's last character is the span's: 园区(qū))
        return keep[start], keep[end] if end < len(keep) else len(page)

    written: dict[str, str] = {}  # a name as read → as written, from its first mention
    for e in rec.entities:
        for start, end in e.mentions:
            a, b = span(start, end)
            written.setdefault(text[start:end], page[a:b])
    for e in rec.entities:
        e.mentions = [span(start, end) for start, end in e.mentions]
        e.name = written.get(e.name, e.name)
        e.aliases = [written.get(a, a) for a in e.aliases]
    for r in rec.relations:
        r.head = written.get(r.head, r.head)
        if r.tail is not None:
            r.tail = written.get(r.tail, r.tail)
        moved = [span(ev.start, ev.end) for ev in r.evidence]
        r.evidence = [replace(ev, sentence=source[a:b], start=a, end=b)
                      for ev, (a, b) in zip(r.evidence, moved, strict=True)]
    for o in rec.observations:
        if o.evidence is not None:
            a, b = span(o.evidence.start, o.evidence.end)
            o.evidence = replace(o.evidence, sentence=source[a:b], start=a, end=b)
    rec.text = page
    return rec


def _extract_one(document: Document, nlp: Language, *, published: str | None = None
                 ) -> DocRecord:
    """extract_one's work on a text without pinyin annotations."""
    articles = find_articles(document.text, side_date=published,
                             meta_date=document.published or None)
    if len(document.text) <= CHUNK_CHARS:
        rec = to_record(annotate(nlp, document.text, articles=articles), document,
                        articles=articles)
    else:
        parts = [to_record(annotate(nlp, piece), document, offset=off)
                 for off, piece in chunks(document.text)]
        rec = merge_records(parts)
    rec.articles = articles_of(document, articles)
    return rec


def extract(documents: Iterable[Document], nlp: Language) -> Iterator[DocRecord]:
    """Run the pipeline over documents, yielding one DocRecord per document, in order."""
    for document in documents:
        yield extract_one(document, nlp)
