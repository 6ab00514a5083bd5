"""Figures computed at build time from the merged graph: per-park counts and totals, mention and
document counts, and the sort keys (ranks) that the list queries page by."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.rdf.graphs import STATS_GRAPH, STATS_NS, XSD
from kg.store.base import _PREFIXES, Rows, _ox, _rows

# Figures computed at build time, one INSERT each, from the merged graph (MERGED is replaced by
# `GRAPH <…> {` on a remote server and by `{` elsewhere). Zero counts are stored too.
STATS_UPDATES = [
    """INSERT { GRAPH <STATS> { ?park kgs:enterpriseCount ?n } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?e) AS ?n) WHERE { M_OPEN ?park a pk:Park .
    OPTIONAL { ?park pk:hosts ?e . ?e a pk:Enterprise } M_CLOSE } GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:platformCount ?n } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?p) AS ?n) WHERE { M_OPEN ?park a pk:Park .
    OPTIONAL { ?park pk:built ?p } M_CLOSE } GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:projectCount ?n ; kgs:investmentTotal ?t } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?project) AS ?n) (SUM(COALESCE(?amount, 0)) AS ?t) WHERE {
    M_OPEN ?park a pk:Park ; pk:hosts ?project . ?project a pk:Project .
    OPTIONAL { ?project pk:investmentAmount ?amount } M_CLOSE } GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:amountCount ?n } } WHERE {
  SELECT ?park (COUNT(DISTINCT ?project) AS ?n) WHERE { M_OPEN ?park a pk:Park ;
    pk:hosts ?project . ?project a pk:Project ; pk:investmentAmount ?amount M_CLOSE }
  GROUP BY ?park }""",
    """INSERT { GRAPH <STATS> { ?park kgs:amountCount 0 } } WHERE {
  GRAPH <STATS> { ?park kgs:projectCount ?n }
  FILTER NOT EXISTS { GRAPH <STATS> { ?park kgs:amountCount ?a } } }""",
    """INSERT { GRAPH <STATS> { ?e kgs:mentionCount ?m ; kgs:documentCount ?d } } WHERE {
  SELECT ?e (COUNT(DISTINCT ?mention) AS ?m) (COUNT(DISTINCT ?doc) AS ?d) WHERE { M_OPEN
    ?mention pk:mentionOf ?e ; pk:inDocument ?doc M_CLOSE } GROUP BY ?e }""",
]


def _stats_updates(merged: str | None) -> list[str]:
    """STATS_UPDATES reading the merged graph: a named graph (remote) or the default graph."""
    open_, close = (f"GRAPH <{merged}> {{", "}") if merged else ("", "")
    return [_PREFIXES + u.replace("<STATS>", f"<{STATS_GRAPH}>").replace("M_OPEN", open_)
            .replace("M_CLOSE", close) for u in STATS_UPDATES]


_RANK_PREFIXES = _PREFIXES + """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


_ENTITY_CLASSES = "pk:Park pk:Enterprise pk:Platform pk:Project"


# What the list queries sort by, one figure per row key: (figure, group figure, SPARQL, key of a
# row (the node ranked, its group, the sort key)). Each figure numbers its nodes 0, 1, 2… in
# that order; the group (a class or a relation) gets the first and last number of its block.
_RANKS: list[tuple[str, str, str, Callable[[list[Any]], tuple[Any, Any, tuple[Any, ...]]]]] = [
    ("entityRank", "entityRank", f"""SELECT ?e ?class ?m ?l WHERE {{
       VALUES ?class {{ {_ENTITY_CLASSES} }}
       ?e a ?class ; kgs:mentionCount ?m ; rdfs:label ?l }}""",
     lambda r: (r[0], r[1], (r[1].value, -int(r[2].value), r[3].value, r[0].value))),
    ("linkRank", "linkRank", f"""SELECT ?e ?class ?l ?q WHERE {{
       VALUES ?class {{ {_ENTITY_CLASSES} pk:Region }} ?e a ?class ; rdfs:label ?l
       OPTIONAL {{ ?e pk:wikidata ?q ; skos:exactMatch ?item }} }}""",
     lambda r: (r[0], r[1], (r[1].value, r[3] is None, r[2].value, r[0].value))),
    ("amountRank", "", """SELECT ?p ?a ?l ?st ?pl WHERE {
       ?p a pk:Project ; rdfs:label ?l ; pk:investmentAmount ?a .
       OPTIONAL { ?st rdf:object ?p ; rdf:predicate pk:hosts ; rdf:subject ?park .
                  ?park pk:hosts ?p ; rdfs:label ?pl } }""",
     lambda r: (r[3] or r[0], None, (-_decimal(r[1]), r[2].value, r[4] is not None,
                                     r[4].value if r[4] else "", (r[3] or r[0]).value))),
    ("factRank", "factRank", """SELECT ?st ?p ?s ?o ?sl ?ol WHERE {
       ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
       OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?o rdfs:label ?ol } }""",
     lambda r: (r[0], r[1], (r[1].value, (r[4] or r[2]).value, (r[5] or r[3]).value,
                             r[0].value))),
    ("partOfRank", "", """SELECT ?st ?pl ?sl WHERE {
       ?st rdf:predicate pk:partOf ; rdf:subject ?s ; rdf:object ?p .
       ?s pk:partOf ?p ; rdfs:label ?sl . ?p rdfs:label ?pl }""",
     lambda r: (r[0], None, (r[1].value, r[2].value, r[0].value))),
]


def _decimal(term: Any) -> Decimal:
    try:
        return Decimal(term.value)
    except (InvalidOperation, AttributeError):
        return Decimal(0)


def rank_triples(select: Callable[[str], Rows | bool]) -> list[Any]:
    """The sort keys of the list queries, as integer figures computed from the merged graph.

    `kgs:entityRank` numbers entities by (type, mentions descending, name); `kgs:linkRank` the
    nodes of wikidata-links by (type, linked first, name); `kgs:amountRank` the facts "park
    hosts project" of projects with an amount (or the project, when no park hosts it) by
    (amount descending, project name, park name); `kgs:factRank` reified statements by
    (relation, subject name, object name); `kgs:partOfRank` the facts "sub-park partOf park"
    by (park name, sub-park name). Each class or relation holds the first and last
    number of its block (`kgs:entityRankFrom`, `kgs:entityRankTo`…). A query then pages by a
    range of small integers instead of sorting thousands of names. Names sort by code point,
    as SPARQL's ORDER BY does.
    """
    ox = _ox()
    integer = ox.NamedNode(XSD + "integer")
    out = []
    for figure, group_figure, sparql, key in _RANKS:
        keyed = sorted((key(row) for row in _rows(select(_RANK_PREFIXES + sparql))[1]),
                       key=lambda k: k[2])
        pred = ox.NamedNode(STATS_NS + figure)
        seen: set[str] = set()
        bounds: dict[Any, list[int]] = {}
        for node, group, _ in keyed:
            if node.value in seen:  # a second label or class: the first in order counts
                continue
            n = len(seen)
            seen.add(node.value)
            out.append(ox.Triple(node, pred, ox.Literal(str(n), datatype=integer)))
            if group_figure:
                bounds.setdefault(group, [n, n])[1] = n
        for group, (lo, hi) in sorted(bounds.items(), key=lambda kv: kv[1][0]):
            for suffix, n in (("From", lo), ("To", hi)):
                out.append(ox.Triple(group, ox.NamedNode(STATS_NS + group_figure + suffix),
                                     ox.Literal(str(n), datatype=integer)))
    return out

