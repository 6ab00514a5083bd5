"""Documents → spaCy Docs → DocRecords; the only module that reads the pk_ extensions of a Doc."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from kg.components import Amount, Mention
from kg.corpus import Document
from kg.records import DocRecord, Entity, Evidence, Relation


def to_record(doc: Doc, document: Document) -> DocRecord:
    """Group a Doc's mentions into entities (one per key); its relation hits become records."""
    mentions: list[Mention] = doc._.pk_mentions or []
    source = document.source_text  # evidence quotes the text as written (traditional kept)
    entities: dict[tuple[str, str], Entity] = {}
    for m in mentions:
        ent = entities.get((m.type, m.key))
        if ent is None:
            ent = entities[(m.type, m.key)] = Entity(name=m.key, type=m.type, rule=m.rule)
        ent.mentions.append((m.start, m.end))
        if m.text != ent.name and m.text not in ent.aliases:
            ent.aliases.append(m.text)
    names = {key: e.name for key, e in entities.items()}
    relations: dict[tuple, Relation] = {}
    for hit in doc._.pk_relations or []:
        head = names.get((hit.head.type, hit.head.key))
        if head is None:
            continue
        ev = Evidence(source[hit.sent_start : hit.sent_end], hit.sent_start, hit.sent_end,
                      hit.rule)
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
            rel.evidence.append(ev)
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


def extract(documents: Iterable[Document], nlp: Language) -> Iterator[DocRecord]:
    """Run the pipeline over documents, yielding one DocRecord per document, in order."""
    docs = list(documents) if not isinstance(documents, list) else documents
    for document, doc in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
        yield to_record(doc, document)
