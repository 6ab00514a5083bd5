"""Extraction records → RDF: instance IRIs are minted here and only here (docs/rdf-model.md).

Each document's facts go into its own named graph, so a document can be replaced alone. Every
relation is also reified as an rdf:Statement derived (prov:wasDerivedFrom) from pk:Evidence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.records import DocRecord
from kg.resolve import canonical_key
from kg.rules import load_rules
from kg.vocab import ID, PK, PREFIXES

_PREDICATES = {"hosts": PK.hosts, "built": PK.built, "investor": PK.investor,
               "partOf": PK.partOf}
_CLASSES = {"Park": PK.Park, "Enterprise": PK.Enterprise, "Platform": PK.Platform,
            "Project": PK.Project}


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def entity_iri(name: str, type_: str) -> URIRef:
    """The IRI of an entity: its type and a hash of its canonical key, stable across runs."""
    return ID[f"{type_.lower()}/{_hash(canonical_key(name, type_))}"]


def region_iri(code: str) -> URIRef:
    """The IRI of a region: its six-digit administrative division code (id:region/610100)."""
    return ID[f"region/{code}"]


def doc_iri(doc_id: str) -> URIRef:
    return ID[f"doc/{doc_id}"]


def graph_iri(doc_id: str) -> URIRef:
    return ID[f"graph/{doc_id}"]


def _anaphor_words() -> frozenset[str]:
    return frozenset(w for a in load_rules().anaphora for w in a.words)


def entity_labels(records: Iterable[DocRecord]) -> dict[URIRef, str]:
    """The rdfs:label of every entity: the longest name any document gives it (first wins ties)."""
    labels: dict[URIRef, str] = {}
    for rec in records:
        for e in rec.entities:
            iri = entity_iri(e.name, e.type)
            if len(e.name) > len(labels.get(iri, "")):
                labels[iri] = e.name
    return labels


def to_graph(records: Iterable[DocRecord], *, labels: dict[URIRef, str] | None = None
             ) -> Dataset:
    """Build an rdflib Dataset with one named graph per document (labels chosen across docs).

    `labels` (from `entity_labels` over the whole corpus) lets a caller build the graphs of a
    few documents exactly as a build of every document would.
    """
    records = list(records)
    anaphors = _anaphor_words()
    if labels is None:
        labels = entity_labels(records)
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    for rec in records:
        _add_record(ds, rec, labels, anaphors)
    return ds


def _add_record(ds: Dataset, rec: DocRecord, labels: dict[URIRef, str],
                anaphors: frozenset[str]) -> None:
    g = ds.graph(graph_iri(rec.doc_id))
    d = doc_iri(rec.doc_id)
    g.add((d, RDF.type, PK.Document))
    g.add((d, DCTERMS.identifier, Literal(rec.doc_id)))
    if rec.path:
        g.add((d, PK.fileName, Literal(rec.path.replace("\\", "/").rsplit("/", 1)[-1])))
    if rec.title:
        g.add((d, DCTERMS.title, Literal(rec.title, lang="zh")))
    if rec.sha256:
        g.add((d, PK.sha256, Literal(rec.sha256)))
    iris: dict[str, URIRef] = {}
    for e in rec.entities:
        iri = entity_iri(e.name, e.type)
        iris[e.name] = iri
        g.add((iri, RDF.type, _CLASSES[e.type]))
        g.add((iri, RDFS.label, Literal(labels.get(iri, e.name), lang="zh")))
        for form in [e.name, *e.aliases]:
            if form != labels.get(iri) and form not in anaphors and not form.startswith("该"):
                g.add((iri, SKOS.altLabel, Literal(form, lang="zh")))
        for start, end in e.mentions:
            m = ID[f"mention/{rec.doc_id}/{start}-{end}"]
            g.add((m, RDF.type, PK.Mention))
            g.add((m, PK.mentionOf, iri))
            g.add((m, PK.inDocument, d))
            g.add((m, PK.startOffset, Literal(start)))
            g.add((m, PK.endOffset, Literal(end)))
            if rec.text:
                g.add((m, PK.surfaceForm, Literal(rec.text[start:end])))
    n = 0
    for r in rec.relations:
        head = iris.get(r.head)
        if head is None:
            continue
        if r.relation == "invests":
            if r.amount_cny is None:
                continue
            pred, obj = PK.investmentAmount, Literal(Decimal(r.amount_cny), datatype=XSD.decimal)
            g.add((head, pred, obj))
            if r.amount_text:
                g.add((head, PK.amountText, Literal(r.amount_text)))
            if r.qualifier:
                g.add((head, PK.amountQualifier, Literal(r.qualifier)))
        else:
            tail = iris.get(r.tail or "")
            pred = _PREDICATES.get(r.relation)
            if tail is None or pred is None:
                continue
            obj = tail
            g.add((head, pred, obj))
        st = ID[f"statement/{_hash(str(head), str(pred), obj.n3())}"]
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, head))
        g.add((st, RDF.predicate, pred))
        g.add((st, RDF.object, obj))
        for ev in r.evidence:
            evi = ID[f"evidence/{rec.doc_id}/{n}"]
            n += 1
            g.add((st, PROV.wasDerivedFrom, evi))
            g.add((evi, RDF.type, PK.Evidence))
            g.add((evi, PK.inDocument, d))
            g.add((evi, PK.sentence, Literal(ev.sentence, lang="zh")))
            g.add((evi, PK.startOffset, Literal(ev.start)))
            g.add((evi, PK.endOffset, Literal(ev.end)))
            g.add((evi, PK.rule, Literal(ev.rule)))
