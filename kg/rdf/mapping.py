"""Extraction records → RDF: instance IRIs are minted here and only here (docs/rdf-model.md).

Each document's facts go into its own named graph, so a document can be replaced alone. Every
relation is also reified as an rdf:Statement derived (prov:wasDerivedFrom) from pk:Evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rdflib import RDF, RDFS, XSD, Dataset, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.extract.records import Article, DocRecord, Evidence, Observation, TimeValue
from kg.lang.canon import canonical_key
from kg.lang.rules import load_rules, rule_confidence
from kg.rdf.graphs import iri_part
from kg.rdf.terms import to_rdflib
from kg.rdf.times import XSD_TYPES, span
from kg.vocab import (
    CODE,
    ID,
    INDICATOR,
    PK,
    PREFIXES,
    QB,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    TIME,
    UNIT,
)

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


def zone_iri(province: str, name: str) -> URIRef:
    """The IRI of a register zone (kg/data/zones.csv): its province code and a hash of its
    official name (id:zone/330000/…), the same whichever rows the register gains or loses."""
    return ID[f"zone/{province}/{_hash('zone', name)}"]


def doc_iri(doc_id: str) -> URIRef:
    """The IRI of a document (its file name without extension, escaped where needed)."""
    return ID[f"doc/{iri_part(doc_id)}"]


def graph_iri(doc_id: str) -> URIRef:
    """The IRI of a document's named graph."""
    return ID[f"graph/{iri_part(doc_id)}"]


def _anaphor_words() -> frozenset[str]:
    return frozenset(w for a in load_rules().anaphora for w in a.words)


def entity_labels(records: Iterable[DocRecord]) -> dict[URIRef, str]:
    """The rdfs:label of every entity: the longest name any document gives it (first wins ties)."""
    return {URIRef(iri): name for iri, name in label_table(records).items()}


def to_graph(records: Iterable[DocRecord], *, labels: dict[URIRef, str] | None = None
             ) -> Dataset:
    """An rdflib Dataset with one named graph per document (labels chosen across documents).

    The quads are those of `to_nquads`, the one mapping of records to RDF, parsed by rdflib.
    `labels` (from `entity_labels` over the whole corpus) lets a caller build the graphs of a
    few documents exactly as a build of every document would.
    """
    import pyoxigraph as ox  # parses N-Quads exactly as the stores do (rdflib's parser
    # splits lines at U+2028, which a literal may hold)

    table = None if labels is None else {str(iri): name for iri, name in labels.items()}
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    data = to_nquads(records, labels=table).encode("utf-8")
    graphs: dict[str, Any] = {}
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        name = q.graph_name.value
        if name not in graphs:
            graphs[name] = ds.graph(URIRef(name))
        graphs[name].add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return ds


# --- the mapping: records → N-Quads ----------------------------------------------------------
# One writer of the RDF model (docs/rdf-model.md), as text in pyoxigraph's canonical N-Quads
# (escapes as it writes them), without building rdflib terms: fast enough to run in the
# extraction workers; `to_graph` parses the same text into rdflib for library users.

_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESCAPES.update({0x7F: "\\u007F", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f",
                 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
_XSD_INTEGER = f"^^<{XSD.integer}>"
_XSD_DECIMAL = f"<{XSD.decimal}>"
_ID = str(ID)
_T = {name: f"<{iri}>" for name, iri in {
    "type": RDF.type, "label": RDFS.label, "alt": SKOS.altLabel, "Document": PK.Document,
    "identifier": DCTERMS.identifier, "fileName": PK.fileName, "title": DCTERMS.title,
    "sha256": PK.sha256, "Mention": PK.Mention, "mentionOf": PK.mentionOf,
    "inDocument": PK.inDocument, "start": PK.startOffset, "end": PK.endOffset,
    "surface": PK.surfaceForm, "amount": PK.investmentAmount, "amountText": PK.amountText,
    "qualifier": PK.amountQualifier, "Statement": RDF.Statement, "subject": RDF.subject,
    "predicate": RDF.predicate, "object": RDF.object, "derived": PROV.wasDerivedFrom,
    "Evidence": PK.Evidence, "sentence": PK.sentence, "rule": PK.rule,
    "confidence": PK.confidence,
    # issue 16: articles, fact times, observations
    "Article": PK.Article, "isPartOf": DCTERMS.isPartOf, "date": DCTERMS.date,
    "inArticle": PK.inArticle, "hasTime": TIME.hasTime, "Instant": TIME.Instant,
    "ProperInterval": TIME.ProperInterval, "hasBeginning": TIME.hasBeginning,
    "hasEnd": TIME.hasEnd, "precision": PK.precision, "timeValue": PK.timeValue,
    "timeText": PK.timeText, "startDate": PK.startDate, "endDate": PK.endDate,
    "Observation": QB.Observation, "dataSet": QB.dataSet, "refArea": SDMX_DIMENSION.refArea,
    "refPeriod": SDMX_DIMENSION.refPeriod, "indicator": PK.indicator,
    "obsValue": SDMX_MEASURE.obsValue, "unitMeasure": SDMX_ATTRIBUTE.unitMeasure,
    "growth": PK.growthPercent, "valueText": PK.valueText, "clause": PK.clause,
    "indicators": CODE["park-indicators"]}.items()}
_CLASS_T = {k: f"<{v}>" for k, v in _CLASSES.items()}
_PRED_T = {k: f"<{v}>" for k, v in _PREDICATES.items()}


_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')  # the keys of _ESCAPES


def _lit(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:  # (most text: translate looks up every character)
        return f'"{text}"'
    return '"' + text.translate(_ESCAPES) + '"'


def _zh(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"@zh'
    return '"' + text.translate(_ESCAPES) + '"@zh'


@lru_cache(maxsize=1 << 16)
def entity_iri_text(name: str, type_: str) -> str:
    """`entity_iri` as a plain string (no rdflib term is built; cached: names recur across
    documents, and the build's main process looks each one up for every label)."""
    return f"{_ID}{type_.lower()}/{_hash(canonical_key(name, type_))}"


def _entity_iris(rec: DocRecord) -> list[str]:
    return [entity_iri_text(e.name, e.type) for e in rec.entities]


def nquads_body(rec: DocRecord) -> str:
    """N-Quads of a document's graph except its label triples, which depend on every document.

    `nquads_body(rec) + nquads_labels(rec, labels)` holds the quads `to_graph` gives the
    document, each once.
    """
    # Each quad once, in the order first written. Only some can repeat: an entity's type
    # (two names, one IRI), a mention's quads (one span, two entities), a relation's and its
    # statement's (one statement, two relations); a document's and an evidence's are unique by
    # their subject, so the long sentences are never hashed.
    t = _T
    tail = f" <{graph_iri(rec.doc_id)}> .\n"
    d = f"<{doc_iri(rec.doc_id)}>"
    part = iri_part(rec.doc_id)
    out = [f"{d} {t['type']} {t['Document']}{tail}",
           f"{d} {t['identifier']} {_lit(rec.doc_id)}{tail}"]
    if rec.path:
        out.append(f"{d} {t['fileName']} "
                   f"{_lit(rec.path.replace(chr(92), '/').rsplit('/', 1)[-1])}{tail}")
    if rec.title:
        out.append(f"{d} {t['title']} {_zh(rec.title)}{tail}")
    if rec.sha256:
        out.append(f"{d} {t['sha256']} {_lit(rec.sha256)}{tail}")
    seen: set[object] = set()
    iris: dict[str, str] = {}
    text = rec.text
    mention = f"<{_ID}mention/{part}/"
    is_mention = f" {t['type']} {t['Mention']}{tail}"
    in_doc = f" {t['inDocument']} {d}{tail}"
    start_p, end_p, surface_p = f" {t['start']} \"", f" {t['end']} \"", f" {t['surface']} "
    integer = f"\"{_XSD_INTEGER}{tail}"
    derived = f" {t['derived']} <{_ID}evidence/{part}/"
    is_evidence = f" {t['type']} {t['Evidence']}{tail}"
    sentence_p, rule_p = f" {t['sentence']} ", f" {t['rule']} "
    confidence_p, confidence = f" {t['confidence']} \"", rule_confidence()
    parks: dict[str, str] = {}  # a park's name and aliases → its IRI (observations name parks)
    for e, iri in zip(rec.entities, _entity_iris(rec), strict=True):
        iris[e.name] = iri
        if e.type == "Park":
            for alias in e.aliases:
                parks.setdefault(alias, iri)
        line = f"<{iri}> {t['type']} {_CLASS_T[e.type]}{tail}"
        if line not in seen:
            seen.add(line)
            out.append(line)
        of = f" {t['mentionOf']} <{iri}>{tail}"
        for start, end in e.mentions:
            m = f"{mention}{start}-{end}>"
            if (start, end) in seen:  # (the span of a mention of another entity)
                if (start, end, iri) not in seen:
                    seen.add((start, end, iri))
                    out.append(m + of)
                continue
            seen.add((start, end))
            seen.add((start, end, iri))
            out += (m + is_mention, m + of, m + in_doc, f"{m}{start_p}{start}{integer}",
                    f"{m}{end_p}{end}{integer}")
            if text:
                out.append(f"{m}{surface_p}{_lit(text[start:end])}{tail}")
    n = 0

    def evidence(subject: str, ev: Any) -> None:
        """The evidence node `n` of `subject` (a statement or an observation), then n + 1."""
        nonlocal n
        evi = f"<{_ID}evidence/{part}/{n}>"
        out.extend((f"{subject}{derived}{n}>{tail}", evi + is_evidence, evi + in_doc,
                    f"{evi}{sentence_p}{_zh(ev.sentence)}{tail}",
                    f"{evi}{start_p}{ev.start}{integer}", f"{evi}{end_p}{ev.end}{integer}",
                    f"{evi}{rule_p}{_lit(ev.rule)}{tail}"))
        if ev.rule in confidence:
            out.append(f"{evi}{confidence_p}{confidence[ev.rule]}\"^^{_XSD_DECIMAL}{tail}")
        article = _article_of(articles, ev)
        if article:
            out.append(f"{evi} {t['inArticle']} {article}{tail}")
        n += 1

    times = _Times(part, tail)
    keyed = {(ft.head, ft.relation, ft.tail): ft.time for ft in rec.times}
    articles = _article_spans(rec.articles, part)
    for r in rec.relations:
        head = iris.get(r.head)
        if head is None:
            continue
        h = f"<{head}>"
        if r.relation == "invests":
            if r.amount_cny is None:
                continue
            pred_iri = str(PK.investmentAmount)
            obj = f'"{Decimal(r.amount_cny)}"^^{_XSD_DECIMAL}'
            lines = [f"{h} {t['amount']} {obj}{tail}"]
            if r.amount_text:
                lines.append(f"{h} {t['amountText']} {_lit(r.amount_text)}{tail}")
            if r.qualifier:
                lines.append(f"{h} {t['qualifier']} {_lit(r.qualifier)}{tail}")
        else:
            tail_iri = iris.get(r.tail or "")
            pred = _PREDICATES.get(r.relation)
            if tail_iri is None or pred is None:
                continue
            pred_iri, obj = str(pred), f"<{tail_iri}>"
            lines = [f"{h} <{pred_iri}> {obj}{tail}"]
        st = f"<{_ID}statement/{_hash(head, pred_iri, obj)}>"
        lines += (f"{st} {t['type']} {t['Statement']}{tail}", f"{st} {t['subject']} {h}{tail}",
                  f"{st} {t['predicate']} <{pred_iri}>{tail}", f"{st} {t['object']} {obj}{tail}")
        when = r.time or keyed.get((r.head, r.relation,
                                    r.amount_text if r.relation == "invests" else r.tail))
        if when is not None:
            node = times.node(when)
            if node is not None:
                lines.append(f"{st} {t['hasTime']} {node}{tail}")
        for line in lines:
            if line not in seen:
                seen.add(line)
                out.append(line)
        for ev in r.evidence:
            evidence(st, ev)
    out += _article_lines(rec.articles, d, part, tail)
    for k, o in enumerate(rec.observations):
        park = iris.get(o.park) or parks.get(o.park)
        if park is None:
            continue
        obs = f"<{_ID}observation/{part}/{k}>"
        out += _observation_lines(obs, o, f"<{park}>", times, tail)
        if o.evidence is not None:
            evidence(obs, o.evidence)
    out += times.lines
    return "".join(out)


# --- issue 16: articles, times of facts, observations of parks (docs/rdf-model.md) ------------

_XSD = str(XSD)


def _number(value: float | int) -> str:
    """An xsd:decimal lexical form of a number: 5.09, -3.2, 333300000000 (no exponent)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value)).normalize(), "f")
    return text


def _dated(value: str, precision: str) -> str:
    """A date as a literal typed by its precision (xsd:date, xsd:gYearMonth, xsd:gYear); a
    quarter, half or range, which XSD has no type for, as a plain string."""
    form = XSD_TYPES.get(precision)
    if form is None or span(value) is None:
        return _lit(value)
    return f'"{value}"^^<{_XSD}{form}>'


# the OWL-Time property placing an instant known to a day, a month or a year
_POSITION = {"day": f"<{TIME.inXSDDate}>", "month": f"<{TIME.inXSDgYearMonth}>",
             "year": f"<{TIME.inXSDgYear}>"}


class _Times:
    """The time nodes of one document: one per distinct (value, precision, words), numbered in
    the order first used (id:time/<doc>/<n>), with their quads gathered in `lines`."""

    def __init__(self, part: str, tail: str) -> None:
        self.part, self.tail = part, tail
        self.nodes: dict[tuple[str, str, str], str] = {}
        self.lines: list[str] = []

    def node(self, tv: TimeValue) -> str | None:
        """The IRI (as N-Quads) of the node of time `tv`; None when its value has no known form."""
        key = (tv.value, tv.precision, tv.text)
        found = self.nodes.get(key)
        if found is not None:
            return found
        covered = span(tv.value)
        if covered is None:
            return None
        iri = f"<{_ID}time/{self.part}/{len(self.nodes)}>"
        self.nodes[key] = iri
        t, tail, date_t = _T, self.tail, f"^^<{_XSD}date>{self.tail}"
        out = self.lines
        if tv.precision in XSD_TYPES and covered.instant:
            form, value = covered.begin
            out += (f"{iri} {t['type']} {t['Instant']}{tail}",
                    f"{iri} {_POSITION[form]} \"{value}\"^^<{_XSD}{XSD_TYPES[form]}>{tail}")
        else:
            out.append(f"{iri} {t['type']} {t['ProperInterval']}{tail}")
            for end, (form, value) in (("begin", covered.begin), ("end", covered.finish)):
                inst = f"{iri[:-1]}/{end}>"
                out += (f"{iri} {t['hasBeginning' if end == 'begin' else 'hasEnd']} {inst}{tail}",
                        f"{inst} {t['type']} {t['Instant']}{tail}",
                        f"{inst} {_POSITION[form]} \"{value}\"^^<{_XSD}{XSD_TYPES[form]}>{tail}")
        out += (f"{iri} {t['timeValue']} {_lit(tv.value)}{tail}",
                f"{iri} {t['precision']} {_lit(tv.precision)}{tail}",
                f'{iri} {t["startDate"]} "{covered.start.isoformat()}"{date_t}',
                f'{iri} {t["endDate"]} "{covered.end.isoformat()}"{date_t}')
        if tv.text:
            out.append(f"{iri} {t['timeText']} {_zh(tv.text)}{tail}")
        return iri


def _article_spans(articles: list[Article], part: str) -> list[tuple[int, int, str]]:
    """(start, end, IRI) of the articles whose span is known, for placing evidence in them."""
    return [(a.start, a.end, f"<{_ID}article/{part}/{i}>")
            for i, a in enumerate(articles) if a.end > a.start]


def _article_of(spans: list[tuple[int, int, str]], ev: Evidence) -> str | None:
    """The IRI of the article whose span holds the start of an evidence sentence, if any."""
    for start, end, iri in spans:
        if start <= ev.start < end:
            return iri
    return None


def _article_lines(articles: list[Article], doc: str, part: str, tail: str) -> list[str]:
    """The quads of a document's articles: part of the document, title, date and its words."""
    t, out = _T, []
    for i, a in enumerate(articles):
        iri = f"<{_ID}article/{part}/{i}>"
        out += (f"{iri} {t['type']} {t['Article']}{tail}", f"{iri} {t['isPartOf']} {doc}{tail}")
        if a.title:
            out.append(f"{iri} {t['title']} {_zh(a.title)}{tail}")
        when = a.time()
        if when is not None:
            out += (f"{iri} {t['date']} {_dated(when.value, when.precision)}{tail}",
                    f"{iri} {t['precision']} {_lit(when.precision)}{tail}")
            if when.text:
                out.append(f"{iri} {t['timeText']} {_zh(when.text)}{tail}")
        if a.end > a.start:
            out += (f"{iri} {t['start']} \"{a.start}\"{_XSD_INTEGER}{tail}",
                    f"{iri} {t['end']} \"{a.end}\"{_XSD_INTEGER}{tail}")
    return out


def _observation_lines(obs: str, o: Observation, park: str, times: _Times, tail: str
                       ) -> list[str]:
    """The quads of one park observation (a qb:Observation), without its evidence."""
    t = _T
    out = [f"{obs} {t['type']} {t['Observation']}{tail}",
           f"{obs} {t['dataSet']} {t['indicators']}{tail}",
           f"{obs} {t['refArea']} {park}{tail}",
           f"{obs} {t['indicator']} <{INDICATOR}{iri_part(o.indicator)}>{tail}"]
    if o.unit:
        out.append(f"{obs} {t['unitMeasure']} <{UNIT}{iri_part(o.unit)}>{tail}")
    if o.period is not None:
        node = times.node(o.period)
        if node is not None:
            out.append(f"{obs} {t['refPeriod']} {node}{tail}")
    if o.value is not None:
        out.append(f'{obs} {t["obsValue"]} "{_number(o.value)}"^^{_XSD_DECIMAL}{tail}')
    if o.growth_pct is not None:
        out.append(f'{obs} {t["growth"]} "{_number(o.growth_pct)}"^^{_XSD_DECIMAL}{tail}')
    if o.value_text:
        out.append(f"{obs} {t['valueText']} {_lit(o.value_text)}{tail}")
    if o.text:
        out.append(f"{obs} {t['clause']} {_zh(o.text)}{tail}")
    return out


def nquads_labels(rec: DocRecord, labels: dict[str, str] | None = None) -> str:
    """The rdfs:label and skos:altLabel quads of a document's entities.

    `labels` maps entity IRIs (plain strings, see `label_table`) to the label chosen across
    documents; without it, the labels this one record gives.
    """
    if labels is None:
        labels = label_table([rec])
    anaphors = _anaphor_words()
    tail = f" <{graph_iri(rec.doc_id)}> .\n"
    label, alt = _T["label"], _T["alt"]
    out = []
    for e, iri in zip(rec.entities, _entity_iris(rec), strict=True):
        chosen = labels.get(iri)
        out.append(f"<{iri}> {label} {_zh(e.name if chosen is None else chosen)}{tail}")
        for form in [e.name, *e.aliases]:
            if form != chosen and form not in anaphors and not form.startswith("该"):
                out.append(f"<{iri}> {alt} {_zh(form)}{tail}")
    return "".join(dict.fromkeys(out))


def label_table(records: Iterable[DocRecord]) -> dict[str, str]:
    """`entity_labels` keyed by plain IRI strings (what the N-Quads writer looks up)."""
    labels: dict[str, str] = {}
    for rec in records:
        add_labels(labels, rec)
    return labels


def add_labels(labels: dict[str, str], rec: DocRecord) -> None:
    """Take one record's names into a label table: the longest name wins, the first on ties."""
    for e in rec.entities:
        iri = entity_iri_text(e.name, e.type)
        if len(e.name) > len(labels.get(iri, "")):
            labels[iri] = e.name


def to_nquads(records: Iterable[DocRecord], *, labels: dict[str, str] | None = None) -> str:
    """N-Quads of every document graph: the quads `to_graph` builds, without rdflib."""
    records = list(records)
    if labels is None:
        labels = label_table(records)
    return "".join(nquads_body(r) + nquads_labels(r, labels) for r in records)
