"""Exports: the store as RDF, or its entities and relations as GraphML, GEXF or CSV files
for Gephi, igraph, R and pandas (one node per entity, one edge per relation, with evidence)."""

from __future__ import annotations

import csv
import io
import os
import re
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
    "time_value",
    "time_precision",
    "time_start",
    "time_end",
)


# observations.csv of a CSV export: one row per figure of a park (issue 16), all of them
OBSERVATION_COLUMNS = (
    "park",
    "park_label",
    "indicator",
    "period",
    "value",
    "unit",
    "growth_pct",
    "text",
)


LIST_SEPARATOR = "|"  # joins aliases and document ids in one CSV, GraphML or GEXF cell


def export_graph(graph: Graph, fmt: str, path: Path) -> nx.MultiDiGraph:
    """Write an RDF graph's entities and relations as GraphML, GEXF or CSV for other tools.

    fmt is one of EXPORT_FORMATS. For "csv", `path` is a folder that receives nodes.csv,
    edges.csv and observations.csv (columns NODE_COLUMNS, EDGE_COLUMNS and
    OBSERVATION_COLUMNS). Returns the networkx graph written.
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
    """One row per relation with the EDGE_COLUMNS; `sentence` is the first evidence sentence.

    A dated fact has its times: `time_value` and `time_precision` (each time's value and
    precision, joined with "|" in the same order: 2024-06|2023, month|year) and `time_start`,
    `time_end` (the first and last day they cover, ISO dates), for a timeline in Gephi.
    """
    rows = []
    for source, target, data in g.edges(data=True):
        evidence = list(data.get("evidence") or [])
        times = [time_parts(str(t)) for t in data.get("times") or ()]
        spans = list(data.get("spans") or ())
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
                "time_value": LIST_SEPARATOR.join(t[0] for t in times) or None,
                "time_precision": LIST_SEPARATOR.join(t[1] for t in times) if times else None,
                "time_start": min(start for start, _ in spans) if spans else None,
                "time_end": max(end for _, end in spans) if spans else None,
            }
        )
    return rows


_TIME_SHOWN = re.compile(r"^(?P<value>\S+)(?: \[(?P<precision>[^\]]*)\])?(?: \((?P<words>.*)\))?$",
                         re.DOTALL)


def time_parts(shown: str) -> tuple[str, str, str]:
    """(value, precision, words) of a fact's time as the entity graph shows it
    (`kg.views.graph`: "2024-06 [month] (今年6月)"); "" for a part it lacks."""
    found = _TIME_SHOWN.match(shown.strip())
    if found is None:
        return shown.strip(), "", ""
    return found["value"], found["precision"] or "", found["words"] or ""


def observation_rows(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """One row per figure of a park (its `indicators`), with the OBSERVATION_COLUMNS: the
    indicator id, the period as written in the graph (2023, 2024-H1), the value as a number
    in its unit (CNY, USD, percent, count), the growth in percent and the clause read."""
    rows = []
    for node, data in g.nodes(data=True):
        for ind in data.get("indicators") or ():
            rows.append({
                "park": node,
                "park_label": str(data.get("label") or node),
                "indicator": str(ind.get("indicator") or ""),
                "period": ind.get("period"),
                "value": ind.get("value"),
                "unit": ind.get("unit") or None,
                "growth_pct": ind.get("growth_pct"),
                "text": ind.get("text") or None,
            })
    return rows


def observation_attributes(g: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """A park's figures as GraphML/GEXF node attributes: `{indicator}_{period}` (the value),
    `…_unit` and `…_growth_pct` (e.g. gdp_2023 = 333300000000.0, gdp_2023_unit = CNY), and
    `observations`, their number. When one indicator and period has several figures, the
    first (sorted by value) is given; the CSV export's observations.csv has them all."""
    out: dict[str, Any] = {}
    seen: set[str] = set()
    found = list(g.nodes[node].get("indicators") or ())
    for ind in sorted(found, key=lambda r: (str(r.get("indicator")), str(r.get("period")),
                                            r.get("value") is None, r.get("value") or 0)):
        name = str(ind.get("indicator") or "indicator")
        if ind.get("period"):
            name += f"_{ind['period']}"
        if name in seen:
            continue
        seen.add(name)
        if ind.get("value") is not None:
            out[name] = float(ind["value"])
            if ind.get("unit"):
                out[f"{name}_unit"] = str(ind["unit"])
        if ind.get("growth_pct") is not None:
            out[f"{name}_growth_pct"] = float(ind["growth_pct"])
    if found:
        out["observations"] = len(found)
    return out


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
        attrs.update(observation_attributes(g, row["id"]))
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
    """Write folder/nodes.csv, folder/edges.csv and folder/observations.csv (UTF-8, header
    row); all or none."""
    if folder.exists() and not folder.is_dir():
        raise KgError(f"{folder}: exists and is not a folder; CSV export writes a folder")
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, columns, rows in (
            ("nodes.csv", NODE_COLUMNS, node_rows(g)),
            ("edges.csv", EDGE_COLUMNS, edge_rows(g)),
            ("observations.csv", OBSERVATION_COLUMNS, observation_rows(g)),
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

