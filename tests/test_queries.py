"""kg.queries: every stored query parses and runs on the seeds store; params are bound safely."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pyoxigraph as ox
import pytest
from helpers import PK, QUERIES
from rdflib import RDF, RDFS
from rdflib.namespace import SKOS
from rdflib.plugins.sparql import prepareQuery

from kg.corpus import read_document
from kg.errors import QueryError
from kg.extract.records import DocRecord, Entity, Evidence, Relation
from kg.queries import (
    bind,
    load_query,
    paged,
    parse_query,
    run_page,
    run_query,
    stored_queries,
)

QUERY_FILES = sorted(QUERIES.glob("*.rq"))
QUERY_IDS = [p.stem for p in QUERY_FILES]

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
    "province": [  # (zone-list: a province the register lists zones under)
        "SELECT ?l WHERE { ?z a pk:Zone ; pk:provinceName ?l } ORDER BY ?l LIMIT 1",
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
        parse_query("#+ param when (datetime): a moment\nSELECT * WHERE { ?s ?p ?_when }", "q")
    assert "when" in str(info.value) and "datetime" in str(info.value)


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


# --- paging -------------------------------------------------------------------------------------

PAGED = [p.stem for p in QUERY_FILES
         if parse_query(p.read_text(encoding="utf-8"), p.stem).page_size]


def _params_for(store, q) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {p.name: _label_for(store, p.name)[0] for p in q.params.values() if p.required}


def _pages(store, q, params, size: int) -> list:  # type: ignore[no-untyped-def]
    """Every page of a query, from offset 0 until a page says nothing more follows."""
    pages, offset = [], 0
    while True:
        page = run_page(store, q, params, limit=size, offset=offset)
        pages.append(page)
        if not page.more:
            return pages
        offset += size
        assert len(pages) < 1000, "paging does not end"


def test_queries_list_queries_declare_a_page_size():
    assert set(PAGED) == set(QUERY_IDS)  # every stored query is a list
    assert all(load_query(n).page_size == 100 for n in PAGED)


@pytest.mark.parametrize("size", [1, 7])
@pytest.mark.parametrize("name", PAGED)
def test_queries_pages_are_disjoint_and_together_the_whole_answer(name, size, seeds_store,
                                                                 request):
    q = load_query(name)
    params = _params_for(seeds_store, q)
    names, whole = run_query(seeds_store, q, params)
    if len(whole) / size > 40 and not request.config.getoption("--slow"):
        # one query per page: pages of one row over a long answer take a minute (--slow)
        pytest.skip(f"{len(whole)} rows in pages of {size}: run with --slow")
    pages = _pages(seeds_store, q, params, size)
    assert [r for page in pages for r in page.rows] == whole
    assert all(page.names == names for page in pages)
    assert [page.more for page in pages] == [True] * (len(pages) - 1) + [False]
    assert all(page.rows for page in pages[:-1])
    if not by_key(q):  # a query paged by key gives all the rows of `size` keys
        assert all(len(page.rows) == size for page in pages[:-1])


@pytest.mark.parametrize("name", ["entities-by-type", "wikidata-links"])
@pytest.mark.parametrize("type_", ["Park", "Enterprise", "Region", "Nothing"])
def test_queries_optional_type_pages_and_filters(name, type_, seeds_store):
    q = load_query(name)
    names, whole = run_query(seeds_store, q)
    want = [r for r in whole if r[0].value == type_]
    assert run_query(seeds_store, q, {"type": type_})[1] == want
    pages = _pages(seeds_store, q, {"type": type_}, 5)
    assert [r for page in pages for r in page.rows] == want


def test_queries_page_past_the_end_is_empty(seeds_store):
    page = run_page(seeds_store, load_query("parks-ranked"), limit=10, offset=100_000)
    assert page.rows == [] and not page.more


@pytest.mark.parametrize(("limit", "offset", "message"), [
    (0, 0, "at least 1"), (-5, 0, "at least 1"), (10, -1, "0 or more")])
def test_queries_bad_page_is_one_line(limit, offset, message, seeds_store):
    with pytest.raises(QueryError, match=message) as info:
        run_page(seeds_store, load_query("parks-ranked"), limit=limit, offset=offset)
    assert "\n" not in str(info.value)


def test_queries_pagination_header_is_read_and_checked():
    assert parse_query("#+ pagination: 25\nSELECT * WHERE { ?s ?p ?o }", "q").page_size == 25
    assert parse_query("SELECT * WHERE { ?s ?p ?o }", "q").page_size is None
    for bad in ("0", "ten", "-3"):
        with pytest.raises(QueryError, match="pagination"):
            parse_query(f"#+ pagination: {bad}\nSELECT * WHERE {{ ?s ?p ?o }}", "q")


def test_queries_paged_puts_the_page_on_the_first_subquery():
    text = ('PREFIX x: <http://e/#>\nSELECT ?n WHERE {\n  { SELECT ?k ?r WHERE { ?k x:r ?r . '
            'FILTER (?r != "} LIMIT 3") } ORDER BY ?r }\n  ?k x:n ?n # a comment }\n} ORDER BY ?r')
    out = paged(text, 10, 20)
    assert out.index("LIMIT 10 OFFSET 20") < out.index("?k x:n ?n")
    assert '"} LIMIT 3"' in out and "# a comment }" in out  # strings and comments untouched
    flat = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s # done"
    assert paged(flat, 5).startswith("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\nLIMIT 5\n")
    rows = ox.Store().query(paged(text, 10, 20))
    assert list(rows) == []  # still a valid query


def test_queries_paging_a_query_with_its_own_limit_is_refused(seeds_store):
    q = parse_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "limited")
    with pytest.raises(QueryError, match="LIMIT or OFFSET of its own"):
        run_page(seeds_store, q, limit=10)
    assert len(run_query(seeds_store, q)[1]) == 3  # unpaged, it runs as written


def test_queries_ask_cannot_be_paged(seeds_store):
    q = parse_query("ASK { ?s ?p ?o }", "ask")
    assert run_query(seeds_store, q) == (["result"], [[True]])
    with pytest.raises(QueryError, match="only a SELECT"):
        run_page(seeds_store, q, limit=5)


def by_key(q) -> bool:  # type: ignore[no-untyped-def]
    """Whether a query pages by the keys of its subquery (else by rows)."""
    return "{ SELECT" in " ".join(q.text.split())


# --- the stored order (kgs:…Rank) gives what a live ORDER BY gives ----------------------------

LIVE = {
    "entities-by-type": """SELECT ?type ?name ?mentions ?documents WHERE {
  VALUES ?class { pk:Park pk:Enterprise pk:Platform pk:Project }
  BIND (STRAFTER(STR(?class), "#") AS ?type)
  ?e a ?class ; kgs:mentionCount ?mentions ; kgs:documentCount ?documents ; rdfs:label ?name .
} ORDER BY ?type DESC(?mentions) ?name""",
    "wikidata-links": """SELECT ?type ?name ?status ?qid ?item WHERE {
  ?node a ?class ; rdfs:label ?name .
  VALUES ?class { pk:Park pk:Enterprise pk:Platform pk:Project pk:Region }
  BIND (STRAFTER(STR(?class), "#") AS ?type)
  OPTIONAL { ?node pk:wikidata ?qid ; skos:exactMatch ?item }
  BIND (IF(BOUND(?qid), "linked", "unlinked") AS ?status)
} ORDER BY ?type ?status ?name""",
    "park-platforms": """SELECT ?park_name ?platform_name WHERE {
  ?park a pk:Park ; rdfs:label ?park_name ; pk:built ?platform .
  ?platform rdfs:label ?platform_name .
} ORDER BY ?park_name ?platform_name""",
    "project-investors": """SELECT ?project_name ?enterprise_name WHERE {
  ?project pk:investor ?ent ; rdfs:label ?project_name . ?ent rdfs:label ?enterprise_name .
} ORDER BY ?project_name ?enterprise_name""",
    "project-investments": """SELECT ?project_name ?amount_yuan (MIN(STR(?t)) AS ?amount_text)
  ?park_name WHERE {
  ?project a pk:Project ; rdfs:label ?project_name ; pk:investmentAmount ?amount_yuan .
  OPTIONAL { GRAPH ?g { ?project pk:investmentAmount ?amount_yuan ; pk:amountText ?t } }
  OPTIONAL { ?park pk:hosts ?project ; rdfs:label ?park_name }
} GROUP BY ?project_name ?amount_yuan ?park_name
ORDER BY DESC(?amount_yuan) ?project_name ?park_name""",
    "sub-parks": """SELECT ?sub_park ?park WHERE {
  ?s pk:partOf ?p . ?s rdfs:label ?sub_park . ?p rdfs:label ?park .
} ORDER BY ?park ?sub_park""",
    "entity-facts": """SELECT DISTINCT ?subject ?relation ?object ?sentence ?doc ?rule ?confidence
WHERE {
  { ?e rdfs:label ?_name } UNION { ?e skos:altLabel ?_name }
  { ?st rdf:subject ?e } UNION { ?st rdf:object ?e }
  ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  ?s rdfs:label ?subject .
  ?st prov:wasDerivedFrom ?ev .
  ?ev pk:sentence ?sentence ; pk:rule ?rule ; pk:inDocument ?d ; pk:startOffset ?start .
  OPTIONAL { ?ev pk:confidence ?confidence }
  ?d dcterms:identifier ?doc .
  OPTIONAL { ?o rdfs:label ?olabel }
  BIND (COALESCE(?olabel, STR(?o)) AS ?object)
  BIND (STRAFTER(STR(?p), "#") AS ?relation)
} ORDER BY ?relation ?subject ?object ?doc ?start ?rule""",
}
LIVE_PREFIXES = PREFIXES + """PREFIX kgs: <https://w3id.org/parks-kg/stats#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _plain_rows(rows) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return [tuple("" if t is None else t.value for t in r) for r in rows]


@pytest.mark.parametrize("name", sorted(LIVE))
def test_queries_stored_order_equals_live_order_by(name, seeds_store):
    q = load_query(name)
    params = _params_for(seeds_store, q)
    header = "".join(ln + "\n" for ln in q.text.splitlines() if ln.startswith("#+ param"))
    live = parse_query(header + LIVE_PREFIXES + LIVE[name], f"live {name}")
    names, got = run_query(seeds_store, q, params)
    live_names, want = run_query(seeds_store, live, params)
    assert names == live_names
    assert got, f"{name}: no rows on the seeds"
    if name == "project-investments":  # ordered by each project's largest amount first
        assert sorted(_plain_rows(got)) == sorted(_plain_rows(want))
        firsts = {}
        for r in got:
            firsts.setdefault(r[0].value, Decimal(r[1].value))
        amounts = list(firsts.values())
        assert amounts == sorted(amounts, reverse=True)
    else:
        assert _plain_rows(got) == _plain_rows(want)


STAT_CHECKS = {
    # figure: a live SPARQL aggregate giving (node, value) for every node that has the figure
    "enterpriseCount": """SELECT ?n (COUNT(DISTINCT ?e) AS ?v) WHERE { ?n a pk:Park .
        OPTIONAL { ?n pk:hosts ?e . ?e a pk:Enterprise } } GROUP BY ?n""",
    "platformCount": """SELECT ?n (COUNT(DISTINCT ?x) AS ?v) WHERE { ?n a pk:Park .
        OPTIONAL { ?n pk:built ?x } } GROUP BY ?n""",
    "projectCount": """SELECT ?n (COUNT(DISTINCT ?x) AS ?v) WHERE { ?n a pk:Park ; pk:hosts ?x .
        ?x a pk:Project } GROUP BY ?n""",
    "investmentTotal": """SELECT ?n (SUM(COALESCE(?a, 0)) AS ?v) WHERE { ?n a pk:Park ;
        pk:hosts ?x . ?x a pk:Project OPTIONAL { ?x pk:investmentAmount ?a } } GROUP BY ?n""",
    "mentionCount": """SELECT ?n (COUNT(DISTINCT ?m) AS ?v) WHERE { ?m pk:mentionOf ?n }
        GROUP BY ?n""",
    "documentCount": """SELECT ?n (COUNT(DISTINCT ?d) AS ?v) WHERE { ?m pk:mentionOf ?n ;
        pk:inDocument ?d } GROUP BY ?n""",
}


@pytest.mark.parametrize("figure", sorted(STAT_CHECKS))
def test_queries_stored_figures_equal_live_aggregates(figure, seeds_store):
    live = run_query(seeds_store, parse_query(LIVE_PREFIXES + STAT_CHECKS[figure], figure))[1]
    stored = run_query(seeds_store, parse_query(
        LIVE_PREFIXES + f"SELECT ?n ?v WHERE {{ ?n kgs:{figure} ?v }}", figure))[1]
    want = {n.value: Decimal(v.value) for n, v in live}
    got = {n.value: Decimal(v.value) for n, v in stored}
    assert got and got == want


def test_queries_rank_figures_number_each_block_in_order(seeds_store):
    from kg.store import rank_triples

    def select(text):  # type: ignore[no-untyped-def]
        return run_query(seeds_store, parse_query(text, "rank"))

    stored = run_query(seeds_store, parse_query(LIVE_PREFIXES + """SELECT ?s ?p ?o WHERE {
        ?s ?p ?o FILTER (STRSTARTS(STR(?p), STR(kgs:)) && CONTAINS(STR(?p), "Rank")) }""",
                                                "ranks"))[1]
    computed = rank_triples(select)
    assert {tuple(map(str, r)) for r in stored} == {(str(t.subject), str(t.predicate),
                                                    str(t.object)) for t in computed}
    by_figure: dict[str, list[int]] = defaultdict(list)
    for _, p, o in stored:
        by_figure[p.value.rsplit("#", 1)[1]].append(int(o.value))
    for figure in ("entityRank", "linkRank", "amountRank", "factRank"):
        numbers = sorted(by_figure[figure])
        assert numbers == list(range(len(numbers))), figure  # 0, 1, 2… once each
    # each class's block holds exactly the entities of that class
    blocks = run_query(seeds_store, parse_query(LIVE_PREFIXES + """SELECT ?class ?from ?to
        (COUNT(?e) AS ?n) (MIN(?r) AS ?lo) (MAX(?r) AS ?hi) WHERE {
        ?class kgs:entityRankFrom ?from ; kgs:entityRankTo ?to . ?e a ?class ;
        kgs:entityRank ?r } GROUP BY ?class ?from ?to""", "blocks"))[1]
    assert blocks
    for _, lo, hi, n, first, last in blocks:
        assert (int(lo.value), int(hi.value)) == (int(first.value), int(last.value))
        assert int(n.value) == int(hi.value) - int(lo.value) + 1


def _invests(doc_id: str, yuan: int, text: str) -> DocRecord:
    """One document: 新余高新区 hosts 智慧生产中心, which is to invest `yuan` (written `text`)."""
    park, project = "新余高新区", "智慧生产中心"
    body = f"{project}落户{park}，计划投资{text}。"
    at = {n: (body.index(n), body.index(n) + len(n)) for n in (park, project, text)}
    hosts = Evidence(body[: at[park][1]], 0, at[park][1], "hosts.test")
    invests = Evidence(body, 0, len(body), "invests.test")
    return DocRecord(doc_id, [Entity(park, "Park", mentions=[at[park]]),
                              Entity(project, "Project", mentions=[at[project]])],
                     [Relation(park, "hosts", project, evidence=[hosts]),
                      Relation(project, "invests", amount_cny=yuan, amount_text=text,
                               evidence=[invests])],
                     title=doc_id, path=f"{doc_id}.txt", sha256=doc_id, text=body)


@pytest.mark.parametrize("backend", ["memory", "oxigraph", "virtuoso"])
def test_queries_project_investments_pairs_each_amount_with_its_text(backend, request,
                                                                     tmp_path):
    """Three documents give one project two amounts in three wordings: one row per amount,
    with the words written beside that amount (not every amount times every text)."""
    from kg.rdf.mapping import to_graph
    from kg.store import load_nquads, open_store

    records = [_invests("a", 50_000_000, "五千万元"), _invests("b", 31_000_000, "约3100万元"),
               _invests("c", 50_000_000, "5000万元")]
    nquads = to_graph(records).serialize(format="nquads").encode("utf-8")
    where = {"memory": "memory", "oxigraph": str(tmp_path / "store")}.get(backend)
    store = open_store(where or request.getfixturevalue("virtuoso_url"), writable=True)
    try:
        load_nquads(store, nquads)
        rows = run_query(store, load_query("project-investments"))[1]
    finally:
        store.close()
    got = [(r[0].value, Decimal(r[1].value), r[2].value, r[3].value) for r in rows]
    assert got == [("智慧生产中心", Decimal(50_000_000), "5000万元", "新余高新区"),
                   ("智慧生产中心", Decimal(31_000_000), "约3100万元", "新余高新区")]


# --- parameters bound by rdflib (initBindings) and as terms in the text --------------------------


@pytest.mark.parametrize("value", INJECTIONS)
def test_queries_injection_in_optional_param_is_one_literal(value, writable_seeds_store):
    store = writable_seeds_store
    before = len(store)
    for name in ("entities-by-type", "wikidata-links"):
        names, rows = run_query(store, load_query(name), {"type": value})
        assert rows == []
    assert len(store) == before


@pytest.mark.parametrize("value", INJECTIONS + ["Park"])
def test_queries_rdflib_binds_parameters_itself(value, seeds_store, seeds_memory_store,
                                                monkeypatch):
    memory = seeds_memory_store  # the rdflib backend, shared: its select is wrapped, not changed
    calls = []
    select = memory.select
    monkeypatch.setattr(memory, "select",
                        lambda text, **kw: calls.append((text, kw)) or select(text, **kw))
    q = load_query("entities-by-type")
    rows = run_query(memory, q, {"type": value})[1]
    assert rows == run_query(seeds_store, q, {"type": value})[1]
    for text, kw in calls:  # the variable stays in the text: rdflib binds the value itself
        assert "BOUND(?__type)" in text and "?__type" in text
        assert kw["bindings"]["__type"].value == value


def test_queries_bind_turns_bound_into_a_constant():
    text = "SELECT ?x WHERE { ?x ?p ?o FILTER (!BOUND(?__t) || ?o = ?__t) }"
    given = bind(text, {ox.Variable("__t"): ox.Literal("a")})
    assert "BOUND" not in given and '!true || ?o = "a"' in given
    absent = bind(text, {}, unbound=["__t"])
    assert "!false || ?o = ?__t" in absent
    quoted = 'SELECT ?x WHERE { ?x ?p "BOUND(?__t)" FILTER (BOUND(?__t)) }'
    assert bind(quoted, {}, unbound=["__t"]).count('"BOUND(?__t)"') == 1


def _part_of(doc_id: str, pairs: list[tuple[str, str]]) -> DocRecord:
    """One document saying, for each (sub-park, park), that the sub-park is part of the park."""
    body = "".join(f"{sub}隶属于{park}。" for sub, park in pairs)
    entities: dict[str, Entity] = {}
    relations, at = [], 0
    for sub, park in pairs:
        sentence = f"{sub}隶属于{park}。"
        for name, start in ((sub, at), (park, at + len(sub) + 3)):
            entities.setdefault(name, Entity(name, "Park", mentions=[])).mentions.append(
                (start, start + len(name)))
        relations.append(Relation(sub, "partOf", park, evidence=[
            Evidence(sentence, at, at + len(sentence), "partOf.test")]))
        at += len(sentence)
    return DocRecord(doc_id, list(entities.values()), relations, title=doc_id,
                     path=f"{doc_id}.txt", sha256=doc_id, text=body)


@pytest.mark.parametrize("backend", ["memory", "oxigraph", "virtuoso"])
def test_queries_sub_parks_in_code_point_order_of_park_then_sub_park(backend, request,
                                                                     tmp_path):
    """sub-parks pages by the stored kgs:partOfRank: park name, then sub-park name, by code
    point (as ORDER BY on the names), a sub-park of two parks once under each, and pages of
    one row give the same rows in the same order."""
    from kg.rdf.mapping import to_graph
    from kg.store import load_nquads, open_store

    pairs = [("东区", "乙园"), ("B片区", "乙园"), ("东区", "甲园"), ("a片区", "甲园"),
             ("南区", "Z园"), ("北区", "乙园")]
    records = [_part_of("a", pairs[:3]), _part_of("b", pairs[3:])]
    nquads = to_graph(records).serialize(format="nquads").encode("utf-8")
    where = {"memory": "memory", "oxigraph": str(tmp_path / "store")}.get(backend)
    store = open_store(where or request.getfixturevalue("virtuoso_url"), writable=True)
    q = load_query("sub-parks")
    try:
        load_nquads(store, nquads)
        rows = run_query(store, q)[1]
        pages = _pages(store, q, {}, 1)
    finally:
        store.close()
    want = sorted(pairs, key=lambda sp: (sp[1], sp[0]))
    assert [(r[0].value, r[1].value) for r in rows] == want
    assert [(r[0].value, r[1].value) for page in pages for r in page.rows] == want
