"""Documents → spaCy Docs → DocRecords; the only module that reads the pk_ extensions of a Doc."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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
from kg.lang.times import TimeHit, load_times
from kg.nlp.indicators import ObservationHit, context_anchor
from kg.nlp.pipeline import annotate
from kg.nlp.spans import Amount, Mention, RelationHit

CHUNK_CHARS = 100_000  # longer texts are read in pieces of about this size, cut at line ends


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
            rel = Relation(head, hit.relation, amount_cny=hit.tail.value,
                           amount_text=hit.tail.text, qualifier=hit.tail.qualifier or None)
        else:
            tail = names.get((hit.tail.type, hit.tail.key))
            if tail is None or tail == head:
                continue
            rel = Relation(head, hit.relation, tail)
        if rel.relation == "invests" and any(
                k[0] == head and k[1] == "invests" and k[3] != rel.amount_cny for k in relations):
            continue  # one investment per project and document: the best rule's, found first
        time = _fact_time(doc, hit, articles) if articles is not None else None
        if rel.key() in relations:
            relations[rel.key()].evidence.append(ev)
            if relations[rel.key()].time is None:
                relations[rel.key()].time = time
        else:
            rel.evidence += [ev, *extra]
            rel.time = time
            relations[rel.key()] = rel
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


def _fact_time(doc: Doc, hit: RelationHit, articles: list[DatedArticle]) -> TimeValue | None:
    """The time the relation's sentence gives: the last time before the later of its two
    ends (惠同新材2002年成立于益阳高新区), else the first after; none outside the sentence.
    Times inside quotes or names (“2023年…榜单”) and an article's own dateline are no fact
    times."""
    text = doc.user_data.get("pk_text") or doc.text
    s, e = hit.sent_start, hit.sent_end
    anchor = None
    art = None
    for a in articles:
        if a.start <= s < a.end:
            art = a
            anchor = a.anchor() or context_anchor(text, a.start, a.end)
            break
    hits = load_times().find(text, anchor, s, e)
    mentions: list[Mention] = doc._.pk_mentions or []
    inside = [(m.start, m.end) for m in mentions if s <= m.start < e]
    good: list[TimeHit] = []
    for h in hits:
        if any(ms <= h.start < me for ms, me in inside):
            continue
        if art is not None and art.date_start <= h.start < art.date_end:
            continue
        if _quoted(text, s, h.start):
            continue
        good.append(h)
    if not good:
        return None
    pivot = max(hit.head.start, hit.tail.start)
    before = [h for h in good if h.start < pivot]
    h = before[-1] if before else good[0]
    return TimeValue(h.value, h.precision, h.text)


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
        elif a.published is not None:
            ev = Evidence(a.text or "", 0, 0, f"published.{a.source}")
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
    """The record of one document; a long text is read piece by piece to bound memory.

    `published` is a date the user gives for the file (a side file), used for the articles
    whose text shows none.
    """
    articles = find_articles(document.text, side_date=published)
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
