"""Exports: the store as RDF, or its entities and relations as GraphML, GEXF or CSV files
for Gephi, igraph, R and pandas (one node per entity, one edge per relation, with evidence)."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rdflib import Graph

if TYPE_CHECKING:
    import networkx as nx  # heavy: imported inside the functions that run it

from kg.errors import KgError, StoreError
from kg.files import write_file
from kg.formats import GraphFormat
from kg.rdf.graphs import STATS_GRAPH
from kg.store import export_to as export_rdf
from kg.store import open_store
from kg.store.base import _ox
from kg.views.graph import OTHER_STYLE, STYLES, _qid, to_networkx


def export_to(spec: str | Path, fmt: str, output: Path | None, *,
              stdout: IO[bytes] | None = None) -> int:
    """Export the store at `spec`: RDF formats stream from the store (kg.store.export_to),
    graph formats (GraphML, GEXF, CSV) are written from its entities and relations.
    Returns the statements (RDF) or triples read (graph formats)."""

    if fmt in {f.value for f in GraphFormat}:
        return export_rdf(spec, fmt, output, stdout=stdout)
    if fmt not in EXPORT_FORMATS:
        known = ", ".join([f.value for f in GraphFormat] + list(EXPORT_FORMATS))
        raise StoreError(f"unknown export format {fmt!r} (formats: {known})")
    if output is None:
        raise StoreError(f"--format {fmt} writes files: give -o PATH")
    store = open_store(spec)
    try:
        graph = Graph()
        data = io.BytesIO()
        ox = _ox()
        ox.serialize((q.triple for q in store.quads(merged=False)
                      if q.graph_name.value != STATS_GRAPH), data, ox.RdfFormat.N_TRIPLES)
    finally:
        store.close()
    graph.parse(data=data.getvalue().decode("utf-8"), format="nt")
    export_graph(graph, fmt, output)
    return len(graph)


EXPORT_FORMATS = ("graphml", "gexf", "csv")


NODE_COLUMNS = (
    "id",
    "label",
    "class",
    "kind",
    "aliases",
    "wikidata",
    "amount_yuan",
    "amount_text",
    "mentions",
    "degree",
    "evidence_count",
    "documents",
)


EDGE_COLUMNS = (
    "source",
    "target",
    "relation",
    "source_label",
    "target_label",
    "evidence_count",
    "documents",
    "sentence",
)


LIST_SEPARATOR = "|"  # joins aliases and document ids in one CSV, GraphML or GEXF cell


def export_graph(graph: Graph, fmt: str, path: Path) -> nx.MultiDiGraph:
    """Write an RDF graph's entities and relations as GraphML, GEXF or CSV for other tools.

    fmt is one of EXPORT_FORMATS. For "csv", `path` is a folder that receives nodes.csv and
    edges.csv (columns NODE_COLUMNS and EDGE_COLUMNS). Returns the networkx graph written.
    """
    g = to_networkx(graph)
    write_export(g, fmt, path)
    return g


def write_export(g: nx.MultiDiGraph, fmt: str, path: Path) -> None:
    """Write a graph from `to_networkx` (or `select`) as GraphML, GEXF or a CSV folder.

    Each node has the NODE_COLUMNS attributes, each edge the EDGE_COLUMNS ones; lists are
    joined with "|" and unknown values are left out (empty cells in CSV). Files are written to
    temporary names and renamed.
    """
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    path = Path(path)
    if fmt == "csv":
        _write_csv(g, path)
    elif fmt == "graphml":
        flat = _flat_graph(g)
        write_file(path, sync=True, write=lambda out: nx.write_graphml(flat, out, encoding="utf-8"))
    elif fmt == "gexf":
        flat = _flat_graph(g, colours=True)
        write_file(path, sync=True, write=lambda out: nx.write_gexf(flat, out, encoding="utf-8"))
    else:
        raise KgError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")


def node_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per entity with the NODE_COLUMNS; None where a value is unknown."""
    rows = []
    for node, data in g.nodes(data=True):
        evidence = list(data.get("evidence") or [])
        rows.append(
            {
                "id": node,
                "label": str(data.get("label") or node),
                "class": str(data.get("type") or ""),
                "kind": data.get("kind"),
                "aliases": LIST_SEPARATOR.join(data.get("aliases") or ()) or None,
                "wikidata": _qid(data["wikidata"]) if data.get("wikidata") else None,
                "amount_yuan": data.get("amount"),
                "amount_text": data.get("amount_text"),
                "mentions": int(data.get("mentions") or 0),
                "degree": int(g.degree(node)),
                "evidence_count": len(evidence),
                "documents": _documents_cell(evidence),
            }
        )
    return rows


def edge_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per relation with the EDGE_COLUMNS; `sentence` is the first evidence sentence."""
    rows = []
    for source, target, data in g.edges(data=True):
        evidence = list(data.get("evidence") or [])
        rows.append(
            {
                "source": source,
                "target": target,
                "relation": str(data.get("relation", "")),
                "source_label": str(g.nodes[source].get("label") or source),
                "target_label": str(g.nodes[target].get("label") or target),
                "evidence_count": len(evidence),
                "documents": _documents_cell(evidence),
                "sentence": evidence[0].get("sentence") if evidence else None,
            }
        )
    return rows


def _documents_cell(evidence: Iterable[dict[str, str]]) -> str | None:
    """The distinct document ids of some evidence, sorted and joined."""
    docs = sorted({str(ev.get("doc")) for ev in evidence if ev.get("doc")})
    return LIST_SEPARATOR.join(docs) or None


def _flat_graph(g: nx.MultiDiGraph, *, colours: bool = False) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings or numbers, as GraphML and GEXF need.

    Edge keys become unique ids (e0, e1, …); with `colours`, nodes get GEXF viz colours.
    """
    import networkx as nx  # heavy: networkx loads only for graph views and analysis

    flat = nx.MultiDiGraph()
    for row in node_rows(g):
        attrs = {k: v for k, v in row.items() if k != "id" and v is not None and v != ""}
        if colours:
            fill = STYLES.get(row["class"], OTHER_STYLE)[2]
            r, gr, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
            attrs["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}}
        flat.add_node(row["id"], **attrs)
    for number, row in enumerate(edge_rows(g)):
        attrs = {
            k: v
            for k, v in row.items()
            if k not in ("source", "target") and v is not None and v != ""
        }
        flat.add_edge(row["source"], row["target"], key=f"e{number}", **attrs)
    return flat


def _write_csv(g: nx.MultiDiGraph, folder: Path) -> None:
    """Write folder/nodes.csv and folder/edges.csv (UTF-8, header row); both or neither."""
    if folder.exists() and not folder.is_dir():
        raise KgError(f"{folder}: exists and is not a folder; CSV export writes a folder")
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, columns, rows in (
            ("nodes.csv", NODE_COLUMNS, node_rows(g)),
            ("edges.csv", EDGE_COLUMNS, edge_rows(g)),
        ):
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            staged.append((name, Path(tmp)))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=list(columns))
                writer.writeheader()
                writer.writerows(
                    {k: ("" if v is None else v) for k, v in row.items()} for row in rows
                )
            os.chmod(tmp, 0o644)
        for name, tmp in staged:
            os.replace(tmp, folder / name)
    finally:
        for _, tmp in staged:
            tmp.unlink(missing_ok=True)

