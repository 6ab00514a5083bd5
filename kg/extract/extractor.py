"""Documents → spaCy Docs → DocRecords; the only module that reads the pk_ extensions of a Doc."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from kg.corpus import Document
from kg.extract.records import DocRecord, Entity, Evidence, Relation
from kg.nlp.pipeline import annotate
from kg.nlp.spans import Amount, Mention

CHUNK_CHARS = 100_000  # longer texts are read in pieces of about this size, cut at line ends
# Pinyin in brackets after a character, as some mirror sites print a page (产(chǎn)业(yè)园): a
# script class, not linguistic data. Pages with a few of them are read without them, and the
# names and evidence are given back as written.
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]")
_PINYIN_PAGE = 3  # fewer annotations than this: brackets of another kind, left alone


def to_record(doc: Doc, document: Document, *, offset: int = 0) -> DocRecord:
    """Group a Doc's mentions into entities (one per key); its relation hits become records.

    `offset` is where the Doc's text starts in the document (a piece of a long text).
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
        if rel.key() in relations:
            relations[rel.key()].evidence.append(ev)
        else:
            rel.evidence += [ev, *extra]
            relations[rel.key()] = rel
    ents = sorted(entities.values(), key=lambda e: e.mentions[0][0])
    for e in ents:
        e.mentions.sort()
    return DocRecord(
        doc_id=document.doc_id,
        entities=ents,
        relations=list(relations.values()),
        title=document.title,
        path=document.path,
        sha256=document.sha256,
        text=document.text,
    )


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
    return DocRecord(first.doc_id, list(entities.values()), list(relations.values()),
                     title=first.title, path=first.path, sha256=first.sha256, text=first.text)


def extract_one(document: Document, nlp: Language) -> DocRecord:
    """The record of one document; a long text is read piece by piece to bound memory, and a
    page printed with pinyin after its characters is read without it."""
    annotations = list(_PINYIN.finditer(document.text))
    if len(annotations) >= _PINYIN_PAGE:
        return _without_pinyin(document, annotations, nlp)
    return _extract_one(document, nlp)


def _without_pinyin(document: Document, annotations: list[re.Match[str]],
                    nlp: Language) -> DocRecord:
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
    rec = _extract_one(replace(document, text=text, original=original), nlp)
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
    rec.text = page
    return rec


def _extract_one(document: Document, nlp: Language) -> DocRecord:
    if len(document.text) <= CHUNK_CHARS:
        return to_record(annotate(nlp, document.text), document)
    parts = [to_record(annotate(nlp, piece), document, offset=off)
             for off, piece in chunks(document.text)]
    return merge_records(parts)


def extract(documents: Iterable[Document], nlp: Language) -> Iterator[DocRecord]:
    """Run the pipeline over documents, yielding one DocRecord per document, in order."""
    for document in documents:
        yield extract_one(document, nlp)
