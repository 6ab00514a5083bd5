"""kg.formats: rows from a real pyoxigraph query → table, CSV, TSV and SPARQL 1.1 results JSON."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from kg.formats import RowFormat, format_rows, to_table, width
from kg.queries import parse_query, run_query

EX = "http://example.org/"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

# (local name, label, label language or None, count or None)
PARKS = [
    ("p1", "西安高新区", "zh", 12),
    ("p2", "ZGC Science Park", "en", 3),
    ("p3", "中关村ＡＩ园区", "zh", 140),
    ("p4", 'Zone "A", north\nside', None, None),
]

QUERY = """
SELECT ?park ?label ?count WHERE {
  ?park <http://www.w3.org/2000/01/rdf-schema#label> ?label .
  OPTIONAL { ?park <http://example.org/count> ?count }
} ORDER BY ?park
"""


def _store() -> ox.Store:
    store = ox.Store()
    for local, label, lang, count in PARKS:
        s = ox.NamedNode(EX + local)
        store.add(ox.Quad(s, RDFS_LABEL, ox.Literal(label, language=lang) if lang
                          else ox.Literal(label)))
        if count is not None:
            store.add(ox.Quad(s, ox.NamedNode(EX + "count"), ox.Literal(count)))
    return store


@pytest.fixture(scope="module")
def rows() -> tuple[list[str], list[list]]:
    return run_query(_store(), parse_query(QUERY, "test"))


def _expected_plain() -> list[list[str]]:
    return [[EX + local, label, "" if count is None else str(count)]
            for local, label, _, count in PARKS]


@pytest.mark.parametrize(("s", "w"), [
    ("", 0),
    ("AI", 2),
    ("西安", 4),
    ("西安AI", 6),
    ("ＡＩ", 4),  # full-width forms are two columns too
    ("高新区 2024", 11),
])
def test_formats_width_counts_cjk_as_two(s, w):
    assert width(s) == w


def test_formats_rows_come_from_the_store(rows):
    names, data = rows
    assert names == ["park", "label", "count"]
    assert len(data) == len(PARKS)


def _starts(line: str, cells: list[str]) -> list[int]:
    """Display column at which each cell starts in a rendered table line."""
    out, pos = [], 0
    for cell in cells:
        pos = line.index(cell, pos)
        out.append(width(line[:pos]))
        pos += len(cell)
    return out


def test_formats_table_columns_align_in_display_width():
    store = _store()
    names, data = run_query(store, parse_query(
        'SELECT ?label ?count ?park WHERE { ?park <http://www.w3.org/2000/01/rdf-schema#label>'
        ' ?label ; <http://example.org/count> ?count } ORDER BY ?park', "t"))
    assert len(data) == 3
    table = to_table(names, data)
    lines = table.rstrip("\n").split("\n")
    header, rule, body = lines[0], lines[1], lines[2 : 2 + len(data)]
    starts = _starts(header, names)
    assert starts[0] == 0
    for line, row in zip(body, data, strict=True):
        assert _starts(line, [t.value for t in row]) == starts, line
    rule_starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    assert rule_starts == starts
    # every column is as wide as its widest cell, so no cell runs into the next column
    for j in range(len(names) - 1):
        widest = max(width(names[j]), *(width(r[j].value) for r in data))
        assert starts[j + 1] - starts[j] > widest


def test_formats_csv_round_trips_through_csv_module(rows):
    names, data = rows
    out = format_rows(names, data, RowFormat.csv)
    parsed = list(csv.reader(io.StringIO(out)))
    assert parsed[0] == names
    assert parsed[1:] == _expected_plain()


def test_formats_tsv_round_trips_through_csv_module(rows):
    names, data = rows
    out = format_rows(names, data, "tsv")
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 1 + len(data)  # a newline in a value does not break a row
    parsed = list(csv.reader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert parsed[0] == names
    expected = [[c.replace("\t", " ").replace("\n", " ") for c in r] for r in _expected_plain()]
    assert parsed[1:] == expected
    # values without tabs or newlines come back exactly
    assert parsed[1] == _expected_plain()[0]


def test_formats_json_is_sparql_results_json(rows):
    names, data = rows
    obj = json.loads(format_rows(names, data, "json"))
    assert obj["head"]["vars"] == names
    bindings = obj["results"]["bindings"]
    assert len(bindings) == len(PARKS)
    for b, (local, label, lang, count) in zip(bindings, PARKS, strict=True):
        assert b["park"] == {"type": "uri", "value": EX + local}
        want = {"type": "literal", "value": label}
        if lang:
            want["xml:lang"] = lang
        assert b["label"] == want
        if count is None:
            assert "count" not in b  # unbound variables are left out
        else:
            assert b["count"] == {"type": "literal", "value": str(count), "datatype": XSD_INTEGER}


def test_formats_json_ask_result_is_boolean():
    store = _store()
    for text, want in [("ASK { ?s ?p ?o }", True), ("ASK { ?s <http://example.org/nope> ?o }",
                                                    False)]:
        names, data = run_query(store, parse_query(text, "ask"))
        obj = json.loads(format_rows(names, data, "json"))
        assert obj["boolean"] is want
        assert "results" not in obj


def test_formats_unknown_format_is_rejected(rows):
    names, data = rows
    with pytest.raises(ValueError):
        format_rows(names, data, "xml")
