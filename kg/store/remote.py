"""A remote SPARQL 1.1 server (Virtuoso, Fuseki, GraphDB…) as a store: queries over HTTP, writes
by SPARQL Update per document graph, credentials from the environment, a lock in the store."""

from __future__ import annotations

import hashlib
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from kg.errors import QueryError, StoreError
from kg.rdf.graphs import BUILD_GRAPH, GRAPH_PREFIX, ID_NS, MERGED_GRAPH, STATS_GRAPH, STATS_NS, XSD
from kg.store.base import Changes, Rows, _fingerprint_quad, _ox, _parse_nquads, _rows
from kg.store.stats import _stats_updates, rank_triples

USER_ENV, PASSWORD_ENV, UPDATE_ENV = "KG_STORE_USER", "KG_STORE_PASSWORD", "KG_STORE_UPDATE_URL"
# a document's new graph is written here, then published by one operation (RemoteStore._publish)
STAGING_PREFIX = ID_NS + "staging/"
# a counter the writer makes odd while it publishes, even when done; readers retry a query
# during which it moved (RemoteStore.select): a seqlock over the server's read-committed reads
SEQ_GRAPH, SEQ = ID_NS + "publishing", STATS_NS + "publishing"
PUBLISH_WAIT = 10.0  # seconds a reader waits for a publish, then reads (the writer died)


class RemoteStore:
    """A SPARQL 1.1 Protocol server: queries on its endpoint, writes by SPARQL Update.

    Credentials come only from KG_STORE_USER / KG_STORE_PASSWORD (basic or digest auth,
    whichever the server asks for); KG_STORE_UPDATE_URL names the update endpoint when it is not
    the query endpoint. A write replaces one document at a time: its triples go into a staging
    graph (id:staging/…, batches of at most `batch` triples, outside the graphs readers see),
    then one update operation swaps it in for the old graph, so readers and a cut-short build
    see a document old or new, never half written. A lock graph keeps a second build out.
    """

    # kg.queries cuts pages from the whole answer here: Virtuoso 7.2 drops rows from the paged
    # list queries (a subquery with ORDER BY joined to more patterns) when given a LIMIT
    pages_in_engine = False

    def __init__(self, url: str, *, writable: bool = False, batch: int = 500,
                 timeout: float = 120.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.username or parts.password:
            raise StoreError(f"{parts.hostname}: put credentials in {USER_ENV} and "
                             f"{PASSWORD_ENV}, not in the store URL")
        self.location = url
        self.query_url = url
        self.update_url = os.environ.get(UPDATE_ENV) or url
        self.batch = batch
        self.timeout = timeout
        user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
        handlers: list[Any] = []
        if user:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for u in {self.query_url, self.update_url}:
                mgr.add_password(None, u, user, password or "")
            handlers += [urllib.request.HTTPBasicAuthHandler(mgr),
                         urllib.request.HTTPDigestAuthHandler(mgr)]
        self._http = urllib.request.build_opener(*handlers)
        self._lock_token: str | None = None
        self._seq_value = 0  # the publish counter as this writer last set it
        if writable:
            self._take_lock()

    # HTTP
    def _post(self, url: str, form: dict[str, str], accept: str) -> bytes:
        body = urllib.parse.urlencode(form).encode("utf-8")
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        try:
            with self._http.open(req, timeout=self.timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            first = next((ln.strip() for ln in detail if ln.strip()), exc.reason)
            if exc.code in (401, 403):
                raise StoreError(f"{url}: HTTP {exc.code}, not allowed; set {USER_ENV} and "
                                 f"{PASSWORD_ENV} (or grant SPARQL update rights)") from None
            if exc.code == 400 or "syntax" in str(first).lower():
                raise QueryError(f"{url}: {first}") from None
            raise StoreError(f"{url}: HTTP {exc.code}: {first}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"{url}: cannot reach the SPARQL endpoint ({reason})") from None

    def _update(self, text: str) -> None:
        self._post(self.update_url, {"update": text}, "*/*")

    def select(self, sparql: str) -> Rows | bool:
        """Run `sparql` on the merged graph between two reads of the publish counter, again
        until no publish overlapped it: Virtuoso reads committed rows as it goes, so a query
        running while a document is published can see part of it old and part new."""
        odd_since: float | None = None
        while True:
            before = self._seq()
            if before % 2 and before > 0:
                odd_since = odd_since or time.monotonic()
                if time.monotonic() - odd_since < PUBLISH_WAIT:
                    time.sleep(0.02)
                    continue
                return self._select_raw(sparql)  # a writer died mid-publish: nothing moves
            result = self._select_raw(sparql)
            if self._seq() == before:
                return result

    def _seq(self) -> int:
        import json  # start-up: kg query and export open stores without json

        doc = json.loads(self._post(self.query_url, {
            "query": f"SELECT ?v WHERE {{ GRAPH <{SEQ_GRAPH}> {{ <{SEQ_GRAPH}> <{SEQ}> ?v }} }}"},
            "application/sparql-results+json"))
        rows = doc["results"]["bindings"]
        return max((int(b["v"]["value"]) for b in rows), default=-1)  # -1: none yet

    def _set_seq(self, value: int) -> str:
        """The operation that sets the publish counter to `value` (one operation: atomic)."""
        self._seq_value = value
        return (f"DELETE {{ GRAPH <{SEQ_GRAPH}> {{ <{SEQ_GRAPH}> <{SEQ}> ?v }} }} "
                f"INSERT {{ GRAPH <{SEQ_GRAPH}> {{ <{SEQ_GRAPH}> <{SEQ}> {value} }} }} "
                f"WHERE {{ OPTIONAL {{ GRAPH <{SEQ_GRAPH}> {{ <{SEQ_GRAPH}> <{SEQ}> ?v }} }} }}")

    def _select_raw(self, sparql: str) -> Rows | bool:
        import json  # start-up: kg query and export open stores without json

        data = self._post(self.query_url, {"query": sparql, "default-graph-uri": MERGED_GRAPH},
                          "application/sparql-results+json")
        try:
            doc = json.loads(data)
        except ValueError:
            raise StoreError(f"{self.query_url}: the answer is not SPARQL JSON results") from None
        if "boolean" in doc:
            return bool(doc["boolean"])
        names = list(doc.get("head", {}).get("vars", []))
        rows = [[from_json(b.get(n)) for n in names] for b in doc["results"]["bindings"]]
        return names, rows

    def fingerprint(self) -> str | None:
        import json  # start-up: kg query and export open stores without json

        data = self._post(self.query_url, {"query": f"SELECT ?f WHERE {{ GRAPH <{BUILD_GRAPH}> "
                                                    f"{{ ?b <{STATS_NS}fingerprint> ?f }} }}"},
                          "application/sparql-results+json")
        rows = json.loads(data)["results"]["bindings"]
        return rows[0]["f"]["value"] if rows else None

    def quads(self, *, merged: bool) -> Iterator[Any]:
        """Page through each named graph (a document graph is one page); the merged graph is
        their union, each triple given once (remembered by a 16-byte digest)."""

        ox = _ox()
        seen: set[bytes] = set()
        for g in self._graphs():
            offset, page = 0, 5000
            while True:
                names, rows = _rows(self._select_in(g, offset, page))
                for s, p, o in rows:
                    if not merged:
                        yield ox.Quad(s, p, o, ox.NamedNode(g))
                        continue
                    key = hashlib.blake2b(f"{s} {p} {o}".encode(), digest_size=16).digest()
                    if key not in seen:
                        seen.add(key)
                        yield ox.Triple(s, p, o)
                if len(rows) < page:
                    break
                offset += page

    def _select_in(self, graph: str, offset: int, limit: int) -> Rows | bool:
        import json  # start-up: kg query and export open stores without json

        q = (f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} "
             f"ORDER BY ?s ?p ?o OFFSET {offset} LIMIT {limit}")
        doc = json.loads(self._post(self.query_url, {"query": q},
                                    "application/sparql-results+json"))
        return ["s", "p", "o"], [[from_json(b.get(n)) for n in "spo"]
                                 for b in doc["results"]["bindings"]]

    def _graphs(self) -> list[str]:
        import json  # start-up: kg query and export open stores without json

        q = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
             f"FILTER (STRSTARTS(STR(?g), \"{GRAPH_PREFIX}\") || ?g = <{STATS_GRAPH}>) }}")
        doc = json.loads(self._post(self.query_url, {"query": q},
                                    "application/sparql-results+json"))
        return sorted(b["g"]["value"] for b in doc["results"]["bindings"])

    def write(self, changes: Changes, *, before_commit: Callable[[Any], None] | None = None
              ) -> None:
        seq = self._seq()
        if seq < 0:  # Virtuoso inserts nothing by DELETE/INSERT … WHERE { OPTIONAL … } on none
            self._update(f"INSERT DATA {{ GRAPH <{SEQ_GRAPH}> {{ <{SEQ_GRAPH}> <{SEQ}> 0 }} }}")
            seq = 0
        self._update(self._set_seq(seq + seq % 2))  # even: a writer that died left it odd
        if changes.reset:
            for g in self._graphs() + [MERGED_GRAPH, BUILD_GRAPH]:
                self._update(f"DROP SILENT GRAPH <{g}>")
        for g in self._staging_graphs():  # what a writer killed mid-document left
            self._update(f"DROP SILENT GRAPH <{g}>")
        for g in sorted(changes.remove - set(changes.add)):
            self._publish(g, None)
        for g, data in sorted(changes.add.items()):
            self._put(g, data)
        # the statistics are replaced in several operations: one publish window for readers
        self._update(self._set_seq(self._seq_value + 1))
        self._drop(STATS_GRAPH)
        for update in _stats_updates(MERGED_GRAPH):
            self._update(update)
        self._update(f"INSERT {{ GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ "
                     f"GRAPH <{STATS_GRAPH}> {{ ?s ?p ?o }} }}")
        ranks = rank_triples(self._select_raw)
        for i in range(0, len(ranks), self.batch):
            triples = " ".join(f"{t} ." for t in ranks[i : i + self.batch])
            self._update(f"INSERT DATA {{ GRAPH <{STATS_GRAPH}> {{ {triples} }} "
                         f"GRAPH <{MERGED_GRAPH}> {{ {triples} }} }}")
        if changes.fingerprint is not None:
            self._update(f"DROP SILENT GRAPH <{BUILD_GRAPH}>")
            q = _fingerprint_quad(changes.fingerprint)
            self._update(f"INSERT DATA {{ GRAPH <{BUILD_GRAPH}> {{ {q.subject} {q.predicate} "
                         f"{q.object} }} }}")
        self._update(self._set_seq(self._seq_value + 1))
        if before_commit is not None:
            before_commit(self)  # a server has no staging area: the change is already there

    def _put(self, graph: str, data: bytes) -> None:
        """Stage a document's N-Quads in batches, then publish them as `graph`."""
        stage = STAGING_PREFIX + graph.removeprefix(ID_NS)
        quads = _parse_nquads(data)
        first = f"DROP SILENT GRAPH <{stage}> ; "
        for i in range(0, len(quads), self.batch):
            chunk = quads[i : i + self.batch]
            triples = " ".join(f"{q.subject} {q.predicate} {q.object} ." for q in chunk)
            self._update(f"{first}INSERT DATA {{ GRAPH <{stage}> {{ {triples} }} }}")
            first = ""
        self._publish(graph, stage)

    def _drop(self, graph: str) -> None:
        self._update(f"""DELETE {{ GRAPH <{MERGED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{
            GRAPH <{graph}> {{ ?s ?p ?o }}
            FILTER NOT EXISTS {{ GRAPH ?h {{ ?s ?p ?o }}
                                FILTER (?h != <{graph}> && ?h != <{MERGED_GRAPH}>) }} }}""")
        self._update(f"DROP SILENT GRAPH <{graph}>")

    def _publish(self, graph: str, stage: str | None) -> None:
        """Replace `graph` by the staged one (or remove it, `stage` None), in the graph and in
        the merged graph, by ONE update operation: Virtuoso applies an operation of this size
        as one transaction (a failed one leaves the old graph), which it does not do for a
        request of several operations (docs/cluster.md). The request around it makes the
        publish counter odd before and even after, for readers (`select`)."""
        keep = f"?h != <{graph}> && ?h != <{MERGED_GRAPH}>" + (
            f" && ?h != <{stage}>" if stage else "")
        insert = (f"INSERT {{ GRAPH <{graph}> {{ ?ns ?np ?no }} GRAPH <{MERGED_GRAPH}> "
                  f"{{ ?ns ?np ?no }} }}") if stage else ""
        new = f"UNION {{ GRAPH <{stage}> {{ ?ns ?np ?no }} }}" if stage else ""
        self._update(self._set_seq(self._seq_value + 1))  # its own request: committed first
        drop = f" ; DROP SILENT GRAPH <{stage}>" if stage else ""
        self._update(f"""DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }}
                                  GRAPH <{MERGED_GRAPH}> {{ ?ms ?mp ?mo }} }}
            {insert}
            WHERE {{ {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}
              UNION {{ GRAPH <{graph}> {{ ?ms ?mp ?mo }}
                       FILTER NOT EXISTS {{ GRAPH ?h {{ ?ms ?mp ?mo }} FILTER ({keep}) }} }}
              {new} }}{drop} ; {self._set_seq(self._seq_value + 1)}""")

    def _staging_graphs(self) -> list[str]:
        import json  # start-up: kg query and export open stores without json

        q = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
             f"FILTER STRSTARTS(STR(?g), \"{STAGING_PREFIX}\") }}")
        doc = json.loads(self._post(self.query_url, {"query": q},
                                    "application/sparql-results+json"))
        return sorted(b["g"]["value"] for b in doc["results"]["bindings"])

    def _take_lock(self) -> None:
        import json  # start-up: kg query and export open stores without json

        token = f"{socket.gethostname()} pid {os.getpid()} at {time.strftime('%FT%T')} " \
                f"{uuid.uuid4().hex[:8]}"
        lock, holder = ID_NS + "lock", STATS_NS + "heldBy"
        self._update(f"INSERT {{ GRAPH <{lock}> {{ <{lock}> <{holder}> {_lit(token)} }} }} "
                     f"WHERE {{ FILTER NOT EXISTS {{ GRAPH <{lock}> {{ <{lock}> <{holder}> ?x }} "
                     "} }")
        doc = json.loads(self._post(self.query_url, {
            "query": f"SELECT ?x WHERE {{ GRAPH <{lock}> {{ <{lock}> <{holder}> ?x }} }}"},
            "application/sparql-results+json"))
        held = [b["x"]["value"] for b in doc["results"]["bindings"]]
        if held != [token]:
            other = ", ".join(h for h in held if h != token) or "another build"
            if token in held:
                self._update(f"DELETE DATA {{ GRAPH <{lock}> {{ <{lock}> <{holder}> "
                             f"{_lit(token)} }} }}")
            raise StoreError(f"{self.location}: another build is writing this store ({other}); "
                             f"wait for it, or if it died, run `kg build --break-lock`")
        self._lock_token = token

    def break_lock(self) -> None:
        """Remove the lock of a build that died (the only way a remote lock outlives its build)."""
        self._update(f"DROP SILENT GRAPH <{ID_NS}lock>")
        self._end_publish()

    def _end_publish(self) -> None:
        seq = self._seq()
        if seq % 2 and seq > 0:
            self._update(self._set_seq(seq + 1))

    def close(self) -> None:
        if self._lock_token is not None:
            self._end_publish()  # a publish that failed: readers need not wait
            lock, holder = ID_NS + "lock", STATS_NS + "heldBy"
            self._update(f"DELETE DATA {{ GRAPH <{lock}> {{ <{lock}> <{holder}> "
                         f"{_lit(self._lock_token)} }} }}")
            self._lock_token = None


def _lit(text: str) -> str:
    return str(_ox().Literal(text))


def from_json(b: dict[str, str] | None) -> Any:
    """A term of SPARQL 1.1 JSON results as a pyoxigraph term (None when unbound)."""
    ox = _ox()
    if b is None:
        return None
    kind, value = b.get("type"), b.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value.removeprefix("_:").replace("nodeID://", "") or None)
    lang = b.get("xml:lang")
    if lang:
        return ox.Literal(value, language=lang)
    dt = b.get("datatype")
    if dt and dt != XSD + "string":
        return ox.Literal(value, datatype=ox.NamedNode(dt))
    return ox.Literal(value)

