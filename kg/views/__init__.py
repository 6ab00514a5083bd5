"""Views of the graph: networkx graphs cut from the store or from RDF files, the offline HTML
page, exports for other tools (GraphML, GEXF, CSV), and network analysis.

One module per job: `graph` (RDF or store → networkx, focus and class views), `layout`
(positions computed in Python), `page` (the self-contained HTML page), `export`, `analysis`.
"""

from kg.views.export import (
    EDGE_COLUMNS,
    EXPORT_FORMATS,
    NODE_COLUMNS,
    edge_rows,
    export_graph,
    export_to,
    node_rows,
    write_export,
)
from kg.views.graph import (
    STYLES,
    find_nodes,
    load,
    read_graph,
    select,
    store_networkx,
    to_networkx,
)
from kg.views.page import PHYSICS_MAX_NODES, render, write_html

__all__ = ["EDGE_COLUMNS", "EXPORT_FORMATS", "NODE_COLUMNS", "PHYSICS_MAX_NODES", "STYLES",
           "edge_rows", "export_graph", "export_to", "find_nodes", "load", "node_rows",
           "read_graph", "render", "select", "store_networkx", "to_networkx", "write_export",
           "write_html"]
