"""Views of the graph: networkx graphs cut from the store or from RDF files, the offline HTML
page, exports for other tools (GraphML, GEXF, CSV), and network analysis.

One module per job: `graph` (RDF or store → networkx, focus and class views), `cut` (views
cut in the store by SPARQL), `articles` (evidence by article), `layout` (positions computed in
Python), `page` (the self-contained HTML page and its explorer), `export`, `analysis`.
"""

from kg.views.articles import attribute_articles
from kg.views.cut import store_view
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
    pick_focus,
    read_graph,
    select,
    store_networkx,
    to_networkx,
)
from kg.views.page import (
    AGGREGATE_MIN_NODES,
    PHYSICS_MAX_NODES,
    render,
    render_source,
    write_html,
)

__all__ = ["AGGREGATE_MIN_NODES", "EDGE_COLUMNS", "EXPORT_FORMATS", "NODE_COLUMNS",
           "PHYSICS_MAX_NODES", "STYLES", "attribute_articles", "edge_rows", "export_graph",
           "export_to", "find_nodes", "load", "node_rows", "pick_focus", "read_graph", "render",
           "render_source", "select", "store_networkx", "store_view", "to_networkx",
           "write_export", "write_html"]
