"""kg.queries: every stored query parses and runs on the seeds store; params are bound safely."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Namespace
from rdflib.namespace import SKOS
from rdflib.plugins.sparql import prepareQuery

from kg.corpus import read_document
from kg.errors import QueryError
from kg.queries import bind, load_query, parse_query, run_query, stored_queries

ROOT = Path(__file__).resolve().parents[1]
QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
QUERY_IDS = [p.stem for p in QUERY_FILES]
PK = Namespace("https://w3id.org/parks-kg/ontology#")

PREFIXES = """
PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# For each required parameter name of a stored query: queries (best first) giving a real label
# from the graph for which the stored query must return rows.
LABEL_QUERIES = {
    "park": [
        "SELECT ?l WHERE { ?p a pk:Park ; rdfs:label ?l ; pk:hosts ?e . ?e a pk:Enterprise ;"
        " rdfs:label ?n } ORDER BY ?l LIMIT 1",
        "SELECT ?l WHERE { ?p a pk:Park ; rdfs:label ?l } ORDER BY ?l LIMIT 1",
    ],
    "name": [
        "SELECT ?l WHERE { ?st a rdf:Statement ; rdf:subject ?s ; prov:wasDerivedFrom ?ev ."
        " ?s rdfs:label ?l . ?ev pk:sentence ?x ; pk:rule ?r ; pk:inDocument ?d ."
        " ?d dcterms:identifier ?i } ORDER BY ?l LIMIT 1",
        "SELECT ?l WHERE { ?e rdfs:label ?l } ORDER BY ?l LIMIT 1",
    ],
}


def _label_for(store, param: str) -> tuple[str, bool]:
    """A real label for a parameter, and whether the stored query must find rows for it."""
    if param not in LABEL_QUERIES:
        pytest.fail(f"no way to pick a value for required parameter {param!r}: add it to "
                    "LABEL_QUERIES in tests/test_queries.py")
    for n, text in enumerate(LABEL_QUERIES[param]):
        names, rows = run_query(store, parse_query(PREFIXES + text, "label"))
        if rows:
            return rows[0][0].value, n == 0
    pytest.skip(f"the seeds graph has no label usable for {param!r}")


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_queries_stored_query_has_summary_and_documented_params(path):
    q = parse_query(path.read_text(encoding="utf-8"), path.stem)
    assert q.summary.strip()
    for p in q.params.values():
        assert p.description.strip(), f"parameter {p.name} has no '#+ param' line"
    assert path.stem in stored_queries()


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_queries_stored_query_parses(path):
    text = path.read_text(encoding="utf-8")
    prepareQuery(text)  # an independent SPARQL parser (rdflib) accepts it
    q = load_query(path.stem)
    assert q.text == text


@pytest.mark.parametrize("path", QUERY_FILES, ids=QUERY_IDS)
def test_queries_stored_query_runs_on_seeds_store(path, seeds_store):
    text = path.read_text(encoding="utf-8")
    q = load_query(path.stem)
    params, must_find = {}, True
    for p in q.params.values():
        if p.required:
            params[p.name], found = _label_for(seeds_store, p.name)
            must_find = must_find and found
    names, rows = run_query(seeds_store, q, params)
    projection = prepareQuery(text).algebra.get("PV")
    if projection is not None:
        assert names == [str(v) for v in projection]
    assert all(len(r) == len(names) for r in rows)
    if params and must_find:
        assert rows, f"{path.stem} found nothing for {params}"


def _labels(g, node) -> set[str]:
    return {str(o) for o in g.objects(node, RDFS.label)}


def _names(g, node) -> set[str]:
    return _labels(g, node) | {str(o) for o in g.objects(node, SKOS.altLabel)}


def test_queries_park_enterprises_rows_are_hosts_in_kg_ttl(seeds_store, seeds_ttl_graph):
    park, found = _label_for(seeds_store, "park")
    if not found:
        pytest.skip("no park hosts an enterprise in the seeds graph")
    names, rows = run_query(seeds_store, load_query("park-enterprises"), {"park": park})
    g = seeds_ttl_graph
    want = set()
    for p in g.subjects(RDF.type, PK.Park):
        if park in _names(g, p):
            for e in g.objects(p, PK.hosts):
                if (e, RDF.type, PK.Enterprise) in g:
                    want |= {(str(e), label) for label in _labels(g, e)}
    got = {(row[names.index("enterprise")].value, row[names.index("name")].value)
           for row in rows}
    assert got
    assert got == want


PAIR_QUERIES = [
    ("park-platforms", PK.built, "park_name", "platform_name"),
    ("sub-parks", PK.partOf, "sub_park", "park"),
    ("project-investors", PK.investor, "project_name", "enterprise_name"),
]


@pytest.mark.parametrize(("name", "pred", "head_col", "tail_col"), PAIR_QUERIES,
                         ids=[p[0] for p in PAIR_QUERIES])
def test_queries_label_pairs_match_kg_ttl(name, pred, head_col, tail_col, seeds_store,
                                          seeds_ttl_graph):
    names, rows = run_query(seeds_store, load_query(name))
    got = {(r[names.index(head_col)].value, r[names.index(tail_col)].value) for r in rows}
    g = seeds_ttl_graph
    want = {(hl, tl) for h, t in g.subject_objects(pred)
            for hl in _labels(g, h) for tl in _labels(g, t)}
    assert got == want


def test_queries_parks_ranked_counts_match_kg_ttl(seeds_store, seeds_ttl_graph):
    names, rows = run_query(seeds_store, load_query("parks-ranked"))
    g = seeds_ttl_graph
    ents: dict[str, set] = defaultdict(set)
    plats: dict[str, set] = defaultdict(set)
    for p in g.subjects(RDF.type, PK.Park):
        for label in _labels(g, p):
            ents[label] |= {e for e in g.objects(p, PK.hosts) if (e, RDF.type, PK.Enterprise) in g}
            plats[label] |= set(g.objects(p, PK.built))
    want = {label: (len(ents[label]), len(plats[label])) for label in ents
            if ents[label] or plats[label]}
    got = {r[0].value: (int(r[1].value), int(r[2].value)) for r in rows}
    assert got == want
    totals = [sum(got[r[0].value]) for r in rows]
    assert totals == sorted(totals, reverse=True)


def test_queries_evidence_offsets_slice_to_sentence_in_source(seeds_store, seeds_copy):
    names, rows = run_query(seeds_store, parse_query(PREFIXES + """
        SELECT ?file ?start ?end ?sentence WHERE {
          ?ev a pk:Evidence ; pk:inDocument ?d ; pk:startOffset ?start ; pk:endOffset ?end ;
              pk:sentence ?sentence .
          ?d pk:fileName ?file .
        }""", "evidence"))
    texts = {p.name: read_document(p).text for p in seeds_copy.glob("*.txt")}
    for file, start, end, sentence in rows:
        text = texts[file.value]
        assert text[int(start.value) : int(end.value)] == sentence.value


def test_queries_mention_offsets_lie_in_source(seeds_store, seeds_copy):
    names, rows = run_query(seeds_store, parse_query(PREFIXES + """
        SELECT ?file ?start ?end WHERE {
          ?m a pk:Mention ; pk:inDocument ?d ; pk:startOffset ?start ; pk:endOffset ?end .
          ?d pk:fileName ?file .
        }""", "mentions"))
    lengths = {p.name: len(read_document(p).text) for p in seeds_copy.glob("*.txt")}
    for file, start, end in rows:
        assert 0 <= int(start.value) < int(end.value) <= lengths[file.value]


# --- parse_query ----------------------------------------------------------------------------------

HEADER_QUERY = """#+ summary: Things of a park in a year
#+ description: a test query
#+ param park (string): the park's name
#+ param year (integer): optional year
#+ param min (decimal): smallest amount
SELECT ?x WHERE {
  ?x ?p ?_park .
  FILTER (!BOUND(?__year) || ?x = ?__year)
  FILTER (?_min > 0)
}
"""


def test_queries_parse_query_reads_header_and_params():
    q = parse_query(HEADER_QUERY, "things")
    assert q.name == "things"
    assert q.summary == "Things of a park in a year"
    assert q.description == "a test query"
    assert set(q.params) == {"park", "year", "min"}
    assert (q.params["park"].type, q.params["park"].required) == ("string", True)
    assert (q.params["year"].type, q.params["year"].required) == ("integer", False)
    assert (q.params["min"].type, q.params["min"].required) == ("decimal", True)
    assert q.params["park"].description == "the park's name"


def test_queries_parse_query_undeclared_param_defaults_to_required_string():
    q = parse_query("SELECT ?s WHERE { ?s ?p ?_thing ; ?q ?__other ; ?r ?plain }", "q")
    assert set(q.params) == {"thing", "other"}
    assert q.params["thing"].required and q.params["thing"].type == "string"
    assert not q.params["other"].required


def test_queries_parse_query_unknown_type_raises():
    with pytest.raises(QueryError) as info:
        parse_query("#+ param when (date): a day\nSELECT * WHERE { ?s ?p ?_when }", "q")
    assert "when" in str(info.value) and "date" in str(info.value)


def test_queries_unknown_param_raises_naming_it(seeds_store):
    with pytest.raises(QueryError) as info:
        run_query(seeds_store, load_query("park-enterprises"),
                  {"park": "x", "colour_of_sky": "blue"})
    assert "colour_of_sky" in str(info.value)


def test_queries_missing_required_param_raises_naming_it(seeds_store):
    with pytest.raises(QueryError) as info:
        run_query(seeds_store, load_query("park-enterprises"))
    assert "park" in str(info.value).replace("park-enterprises", "")


def test_queries_load_unknown_name_lists_stored_queries():
    with pytest.raises(QueryError) as info:
        load_query("no-such-query")
    for stem in QUERY_IDS:
        assert stem in str(info.value)


SERVICE_QUERY = ("SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> "
                 "{ ?s ?p ?o } }")


def test_queries_service_rejected_unless_allowed():
    store = ox.Store()
    q = parse_query(SERVICE_QUERY, "remote")
    with pytest.raises(QueryError) as info:
        run_query(store, q)
    assert "SERVICE" in str(info.value)
    # allowed: it runs (SILENT: the unreachable endpoint gives no bindings, no error)
    names, rows = run_query(store, q, allow_service=True)
    assert all(v is None for row in rows for v in row)


INJECTIONS = [
    'x" } } INSERT DATA { <a> <b> <c> } #',
    "}",
    '\\"',
    '西安高新区" || true || "',
    "' } ; DROP ALL ; #",
    "?_park",
    "x\n} UNION { ?park ?p ?o }",
]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("query", ["park-enterprises", "entity-facts"])
def test_queries_injection_is_bound_as_literal(value, query, writable_seeds_store):
    store = writable_seeds_store
    before = len(store)
    q = load_query(query)
    (param,) = [p.name for p in q.params.values() if p.required]
    names, rows = run_query(store, q, {param: value})
    assert rows == []
    assert len(store) == before


@pytest.mark.parametrize("value", INJECTIONS)
def test_queries_bind_puts_value_in_one_escaped_literal(value):
    q = load_query("park-enterprises")
    var = ox.Variable("_park")
    lit = str(ox.Literal(value))
    marker = '"KG_PLACEHOLDER_VALUE"'
    ref = bind(q.text, {var: ox.Literal("KG_PLACEHOLDER_VALUE")})
    assert ref.count(marker) == 1
    bound = bind(q.text, {var: ox.Literal(value)})
    # the bound text is the reference text with the placeholder replaced by one literal token
    assert bound == ref.replace(marker, lit)
    # and that token reads back as exactly the value
    check = ox.Store().query(f"SELECT ?v WHERE {{ VALUES ?v {{ {lit} }} }}")
    assert [s["v"].value for s in check] == [value]


def test_queries_real_label_is_bound_and_matches(seeds_store):
    park, found = _label_for(seeds_store, "park")
    names, rows = run_query(seeds_store, load_query("park-enterprises"), {"park": park})
    if found:
        assert rows
    names2, rows2 = run_query(seeds_store, load_query("park-enterprises"),
                              {"park": park + " "})
    assert rows2 == []  # the value is compared as given, not trimmed or pattern-matched


INT_QUERY = "#+ param n (integer): a number\nSELECT ?x WHERE { BIND (?_n * 2 AS ?x) }"
DEC_QUERY = "#+ param d (decimal): a number\nSELECT ?x WHERE { BIND (?_d + 0.5 AS ?x) }"
IRI_QUERY = ("#+ param thing (iri): an IRI\n"
             "SELECT ?l WHERE { ?_thing <http://www.w3.org/2000/01/rdf-schema#label> ?l }")


def test_queries_integer_param_is_bound_as_integer():
    names, rows = run_query(ox.Store(), parse_query(INT_QUERY, "int"), {"n": "21"})
    assert [[int(t.value) for t in r] for r in rows] == [[42]]


@pytest.mark.parametrize("value", ["abc", "1.5", "1; DROP ALL", ""])
def test_queries_integer_param_rejects_non_integer(value):
    with pytest.raises(QueryError) as info:
        run_query(ox.Store(), parse_query(INT_QUERY, "int"), {"n": value})
    assert "integer" in str(info.value)


def test_queries_decimal_param_typed():
    names, rows = run_query(ox.Store(), parse_query(DEC_QUERY, "dec"), {"d": "1.25"})
    assert rows[0][0].value in ("1.75", "1.750")
    with pytest.raises(QueryError):
        run_query(ox.Store(), parse_query(DEC_QUERY, "dec"), {"d": "abc"})


def test_queries_iri_param_bound_as_iri_and_rejects_bad_iri(seeds_store):
    names, rows = run_query(seeds_store, parse_query(
        PREFIXES + "SELECT ?p ?l WHERE { ?p a pk:Park ; rdfs:label ?l } ORDER BY ?l LIMIT 1",
        "one-park"))
    if not rows:
        pytest.skip("no park in the seeds graph")
    iri, label = rows[0][0].value, rows[0][1].value
    names, got = run_query(seeds_store, parse_query(IRI_QUERY, "iri"), {"thing": iri})
    assert [r[0].value for r in got] == [label]
    with pytest.raises(QueryError):
        run_query(seeds_store, parse_query(IRI_QUERY, "iri"),
                  {"thing": "x> } INSERT DATA { <a> <b> <c> } #"})
