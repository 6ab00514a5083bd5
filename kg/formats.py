"""Rows → text: aligned tables (CJK characters count double), CSV, TSV, SPARQL 1.1 JSON; and the
RDF serialisations of `kg export` (GraphFormat)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from enum import StrEnum
from typing import Any


class RowFormat(StrEnum):
    """Output formats of `kg query`."""

    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


class GraphFormat(StrEnum):
    """RDF formats of `kg export`: triples (ttl, nt) or named graphs (nq, trig, jsonld)."""

    ttl = "ttl"
    nt = "nt"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"


def ox_format(fmt: GraphFormat | str) -> Any:
    """The pyoxigraph RdfFormat of a GraphFormat."""
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    return {GraphFormat.ttl: ox.RdfFormat.TURTLE, GraphFormat.nt: ox.RdfFormat.N_TRIPLES,
            GraphFormat.nq: ox.RdfFormat.N_QUADS, GraphFormat.trig: ox.RdfFormat.TRIG,
            GraphFormat.jsonld: ox.RdfFormat.JSON_LD}[GraphFormat(fmt)]


def plain(term: Any) -> str:
    """A term's plain text: an IRI, a literal's lexical form, or empty for unbound."""
    if term is None:
        return ""
    if isinstance(term, bool):
        return "true" if term else "false"
    return str(getattr(term, "value", term))


def width(s: str) -> int:
    """Columns a string takes in a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - width(s))


def to_table(names: list[str], rows: list[list[Any]], *, max_width: int = 60) -> str:
    cells = [[plain(t) for t in row] for row in rows]
    cells = [[c if width(c) <= max_width else _cut(c, max_width) for c in row] for row in cells]
    widths = [max([width(n)] + [width(r[i]) for r in cells]) for i, n in enumerate(names)]
    lines = ["  ".join(_pad(n, w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for r in cells:
        lines.append("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cut(s: str, w: int) -> str:
    out, n = [], 0
    for c in s:
        n += width(c)
        if n > w - 1:
            break
        out.append(c)
    return "".join(out) + "…"


def to_delimited(names: list[str], rows: list[list[Any]], delimiter: str) -> str:
    buf = io.StringIO()
    if delimiter == "\t":
        buf.write("\t".join(names) + "\n")
        for row in rows:
            buf.write("\t".join(plain(t).replace("\t", " ").replace("\n", " ") for t in row))
            buf.write("\n")
        return buf.getvalue()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(names)
    for row in rows:
        w.writerow([plain(t) for t in row])
    return buf.getvalue()


def _json_term(term: Any) -> dict[str, str] | None:
    import pyoxigraph as ox  # heavy: pyoxigraph loads only when a store or term needs it

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def to_json(names: list[str], rows: list[list[Any]]) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if names == ["result"] and rows and isinstance(rows[0][0], bool):
        return json.dumps({"head": {}, "boolean": rows[0][0]}) + "\n"
    bindings = []
    for row in rows:
        b = {}
        for n, t in zip(names, row, strict=True):
            j = _json_term(t)
            if j is not None:
                b[n] = j
        bindings.append(b)
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=1) + "\n"


def format_rows(names: list[str], rows: list[list[Any]], fmt: RowFormat | str) -> str:
    """Render query rows in one of the RowFormat formats."""
    fmt = RowFormat(fmt)
    if fmt is RowFormat.table:
        return to_table(names, rows)
    if fmt is RowFormat.csv:
        return to_delimited(names, rows, ",")
    if fmt is RowFormat.tsv:
        return to_delimited(names, rows, "\t")
    return to_json(names, rows)
