"""The `kg` command: each subcommand parses its options, makes one library call and writes
what it returns.

Errors come out in one place (`KgGroup.invoke`): a `KgError` from the library, or an `OSError`
that no layer below explained, becomes one line on stderr (`Error: …`) and exit status 1, never
a traceback. Commands import the library inside their function, so that `kg query` or a no-op
`kg build` never loads spaCy.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kg.errors import KgError
from kg.lang.segmenters import DEFAULT_SEGMENTER, SEGMENTER_ENV, SEGMENTERS


class KgGroup(click.Group):
    """The `kg` group: the one boundary where library errors become one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; a KgError or OSError it raises becomes `Error: …`, exit 1."""
        try:
            return super().invoke(ctx)
        except KgError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # a closed pipe (`kg query | head`): click's to handle
                raise
            raise click.ClickException(_os_message(exc)) from None


def _os_message(exc: OSError) -> str:
    """An OSError as a line naming its file: `PATH: Permission denied`."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename is None:
        return reason
    return f"{exc.filename}: {reason}"


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Report an OSError while writing the output file `path` as `PATH: cannot write (…)`,
    naming the file the user asked for (not a temporary file beside it)."""
    try:
        yield
    except OSError as exc:
        raise KgError(f"{path}: cannot write ({exc.strerror or exc})") from None


def _warn(msg: str) -> None:
    click.echo(f"kg: warning: {msg}", err=True)


class _LocalPath(click.Path):
    """A file or folder on this machine: a URL is refused by name (a Path would make
    `http://host/x` the folder `http:/host/x` and write there)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        """The value as a Path, unless it is an http(s) URL."""
        if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
            self.fail(f"{value}: a URL; this option takes a file or folder on this machine",
                      param, ctx)
        return super().convert(value, param, ctx)


LOCAL_PATH = _LocalPath(path_type=Path)

PROGRESS_EVERY = 10.0  # seconds between two progress lines when stderr is no terminal
STILL_WORKING_AFTER = 10.0  # seconds on one document before a line says work goes on


def _progress(label: str, *, tty: bool | None = None):  # type: ignore[no-untyped-def]
    """Progress of a stream of results: a bar with documents/s and ETA on a terminal, else a
    line at most every PROGRESS_EVERY seconds (and a last one if any was written)."""

    def wrap(items: Iterable, total: int) -> Iterator:  # type: ignore[type-arg]
        t0 = time.monotonic()

        def rate(n: int) -> str:
            return f"{n / max(time.monotonic() - t0, 1e-9):.1f} documents/s"

        if sys.stderr.isatty() if tty is None else tty:
            done = 0

            def show(_: object) -> str:
                return rate(done) if done else ""

            with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True,
                                   show_eta=True, item_show_func=show) as bar:
                for item in items:
                    done += 1
                    bar.update(1, item)
                    yield item
            return
        state = {"last": t0, "n": 0}
        stop = threading.Event()

        def heartbeat() -> None:  # one long document gives no line of its own
            while not stop.wait(min(1.0, STILL_WORKING_AFTER)):
                now = time.monotonic()
                if now - state["last"] >= STILL_WORKING_AFTER:
                    state["last"] = now
                    click.echo(f"kg: {label}: {state['n']}/{total} documents, still working "
                               f"on document {state['n'] + 1} ({now - t0:.0f} s)", err=True)

        beat = threading.Thread(target=heartbeat, daemon=True)
        beat.start()
        try:
            for n, item in enumerate(items, 1):
                state["n"] = n
                yield item
                now = time.monotonic()
                if now - state["last"] >= PROGRESS_EVERY:
                    state["last"] = now
                    eta = (total - n) * (now - t0) / n
                    click.echo(f"kg: {label}: {n}/{total} documents, {rate(n)}, "
                               f"about {eta:.0f} s left", err=True)
        finally:
            stop.set()
            beat.join()
        if state["last"] > t0:
            click.echo(f"kg: {label}: {state['n']}/{total} documents, {rate(state['n'])}, done",
                       err=True)

    return wrap


PROGRESS_AFTER = 2.0  # seconds of quiet work before a step is reported on stderr


def _ticker(label: str):  # type: ignore[no-untyped-def]
    """A progress callback for long work: each step reported as `kg: LABEL: …` on stderr, once
    PROGRESS_AFTER seconds have passed since the start or the last report (quick runs stay
    silent)."""
    last = [time.monotonic()]

    def say(line: str) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_AFTER:
            last[0] = now
            click.echo(f"kg: {label}: {line}", err=True)

    return say


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parks-kg")
def cli() -> None:
    """parks-kg: Chinese news about high-tech zones → a queryable knowledge graph.

    Start with `kg build` (reads seeds/ by default), then `kg queries` and `kg query NAME`.
    """


jobs_option = click.option(
    "-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
    help="Extract in this many processes (0: one per core; 1: in this process).")

pkuseg_option = click.option(
    "--pkuseg-model", type=LOCAL_PATH, default=None,
    help="Tokenize documents with this spacy-pkuseg model directory; the rules read its "
         "words too with --segmenter pkuseg (default: one token per character, no model).")

segmenter_option = click.option(
    "--segmenter", type=click.Choice(SEGMENTERS), envvar=SEGMENTER_ENV, default=None,
    callback=lambda _ctx, _p, v: _choose_segmenter(v), expose_value=False,
    help=f"Words the rules read: jieba, or pkuseg's CTB8 news model (`kg models install "
         f"pkuseg`; --pkuseg-model DIR for another) [default: ${SEGMENTER_ENV} or "
         f"{DEFAULT_SEGMENTER}].")


dates_option = click.option(
    "--dates", "dates_path", type=LOCAL_PATH, default=None,
    help="CSV of path,date (2024-06-15, 2024-06 or 2024): publication dates of files whose "
         "text shows none; a path matches a file by path, name or stem.")


def _read_dates(path: Path | None) -> dict[str, str] | None:
    """The side file of dates at `path` (None: none given); a bad file is one line."""
    if path is None:
        return None
    from kg.corpus.articles import read_date_file  # start-up: only --dates needs it

    return read_date_file(path)


def _choose_segmenter(name: str | None) -> None:
    # through the environment, so that worker processes choose the same
    if name:
        os.environ[SEGMENTER_ENV] = name


@cli.command()
@click.argument("paths", nargs=-1, type=LOCAL_PATH)
@click.option("-o", "--out", "out_dir", type=LOCAL_PATH, default=Path("out"),
              show_default=True, help="Directory for kg.ttl, graph.html and the record cache.")
@click.option("--store", "store_spec", default=None, metavar="PATH|URL|memory",
              help="Store directory, SPARQL endpoint http(s)://… (credentials from "
                   "KG_STORE_USER / KG_STORE_PASSWORD) or memory (default: OUT/store).")
@click.option("--rebuild", is_flag=True,
              help="Start from an empty store and re-extract nothing that is cached.")
@click.option("--break-lock", is_flag=True,
              help="Remove a remote store's lock left by a build that died.")
@click.option("--prune", is_flag=True,
              help="Remove the stored documents whose files are not among PATHS.")
@click.option("--no-html", is_flag=True, help="Skip the HTML graph view.")
@pkuseg_option
@segmenter_option
@jobs_option
@click.option("--cluster", default=None, metavar="tcp://HOST:PORT",
              help="Extract on the workers of this running Dask scheduler "
                   "(pip install 'parks-kg[cluster]').")
@dates_option
def build(paths: tuple[Path, ...], out_dir: Path, store_spec: str | None, rebuild: bool,
          break_lock: bool, prune: bool, no_html: bool, pkuseg_model: Path | None,
          jobs: int, cluster: str | None, dates_path: Path | None) -> None:
    """Bring kg.ttl, the store and graph.html up to date with PATHS (default seeds/).

    Only new or changed files are extracted; a run on an unchanged corpus writes nothing.
    Builds add: documents already stored stay unless --prune is given, or PATHS are the
    same folders the previous build of OUT was given (then files deleted there are removed).
    A document is named by its path under the folder given, without extension.
    """
    from kg.build.pipeline import build as run_build  # start-up: only this command needs it

    targets = list(paths) or [Path("seeds")]
    for p in targets:
        if not p.exists():
            raise click.ClickException(f"{p}: no such file or directory")
    dates = _read_dates(dates_path)  # a bad date file stops the build before anything runs
    t0 = time.monotonic()
    res = run_build(targets, out_dir, store_path=store_spec, rebuild=rebuild,
                    pkuseg_model=pkuseg_model, html=not no_html, warn=_warn,
                    progress=_progress("extracting"), break_lock=break_lock, jobs=jobs,
                    prune=prune, note=_warn, cluster=cluster, dates=dates,
                    dates_file=dates_path, steps=_ticker("build"))
    ents = ", ".join(f"{n} {t}" for t, n in sorted(res.entities.items()))
    rels = ", ".join(f"{n} {r}" for r, n in sorted(res.relations.items()))
    click.echo(f"{res.documents} documents → entities: {ents or 'none'}; relations: "
               f"{rels or 'none'} (distinct); {res.quads} quads in "
               f"{time.monotonic() - t0:.1f} s", err=True)
    if res.unchanged:
        click.echo("nothing changed: no document extracted, the store left as it was",
                   err=True)
    else:
        click.echo(f"extracted {res.extracted} document(s), replaced {res.replaced} and "
                   f"removed {res.removed} document graph(s)", err=True)
        if res.removed_ids:
            shown = ", ".join(res.removed_ids[:10])
            more = f" and {len(res.removed_ids) - 10} more" if len(res.removed_ids) > 10 else ""
            click.echo(f"removed (their files are gone): {shown}{more}", err=True)
        for path in res.outputs:
            click.echo(f"wrote {path}", err=True)
    if res.kept_gone:
        click.echo(f"kept {res.kept_gone} stored document(s) not among the files given "
                   "(--prune removes them)", err=True)
    if res.skipped:
        raise click.ClickException(f"{len(res.skipped)} file(s) skipped, see warnings above")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=LOCAL_PATH)
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl",
              show_default=True, help="Output format: one JSON record per input file.")
@dates_option
@pkuseg_option
@segmenter_option
@jobs_option
def extract(files: tuple[Path, ...], fmt: str, dates_path: Path | None,
            pkuseg_model: Path | None, jobs: int) -> None:
    """Print the extraction record of each FILE: one JSON line each, in the format of
    docs/extraction-format.md. A file in a folder given is named by its path under it."""
    # start-up: only this command needs these
    from kg.build.pipeline import corpus_files, extract_records, unused_dates

    dates = _read_dates(dates_path)

    skipped: list[str] = []

    def warn(msg: str) -> None:
        skipped.append(msg)
        _warn(msg)

    paths = list(corpus_files(files, warn, unique=False))
    unused = unused_dates(dates, paths)  # the warning `kg build --dates` gives, word for word
    if unused:
        _warn(f"{dates_path}: {len(unused)} path(s) name no file given: "
              f"{', '.join(unused[:5])}{' …' if len(unused) > 5 else ''}")
    # each file read where it is extracted, as extraction goes: memory stays flat; doubts
    # about a file that was read (its encoding…) are warnings, not skips
    records = extract_records(paths, pkuseg_model=pkuseg_model, jobs=jobs, text=False,
                              warn=warn, note=_warn, dates=dates)
    for rec in _progress("extracting")(records, len(paths)):
        click.echo(rec.dumps())
    if skipped:
        raise click.ClickException(f"{len(skipped)} file(s) skipped, see warnings above")


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        name, sep, value = v.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{v!r}: expected NAME=VALUE", param_hint="--param")
        out[name.strip()] = value
    return out


@cli.command()
@click.argument("name", required=False)
@click.option("-e", "--expr", "text", default=None, help="SPARQL query text to run.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]),
              default="table", show_default=True)
@click.option("--store", "store_path", default="out/store", show_default=True,
              metavar="PATH|URL|memory", help="Store to query: a directory or a SPARQL endpoint.")
@click.option("--allow-service", is_flag=True, help="Allow SERVICE calls to remote endpoints.")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Show at most N rows (0: all). Default: the page size the query declares "
                   "(`#+ pagination:`), else all.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True,
              metavar="M", help="Skip the first M rows (the next page starts at offset + limit).")
@click.option("--year", type=int, default=None, metavar="YYYY",
              help="Short for --param year=YYYY (queries over time: investment-by-year, "
                   "indicator-ranking).")
@click.option("--indicator", default=None, metavar="ID",
              help="Short for --param indicator=ID, an indicator id such as gdp or "
                   "high_tech_enterprises (indicator-series, indicator-ranking).")
def query(name: str | None, text: str | None, params: tuple[str, ...], fmt: str,
          store_path: str, allow_service: bool, limit: int | None, offset: int,
          year: int | None, indicator: str | None) -> None:
    """Run a stored query NAME, a FILE.rq, or -e TEXT against the store.

    Values given with --param are typed as the query's header declares (string, label,
    iri, integer, decimal, date) and bound as RDF terms. List queries show one page (100
    rows); when more rows follow, a note on stderr gives the option for the next page.
    """
    from kg.formats import format_rows  # start-up: only this command needs it
    from kg.queries import UPDATE_REFUSED, is_update, load_query, run_page  # start-up: query only
    from kg.store import open_store  # start-up: only this command needs it

    if (name is None) == (text is None):
        raise click.UsageError("give a stored query NAME, a FILE.rq, or -e TEXT (one of them)")
    q = load_query(name, text=text)
    if is_update(q.text):  # refused before any store is opened
        raise KgError(UPDATE_REFUSED)
    size = q.page_size if limit is None else (limit or None)
    bound = _parse_params(params)
    for option, value in (("year", year), ("indicator", indicator)):
        if value is None:
            continue
        if option not in q.params:
            raise click.UsageError(f"--{option}: {q.name} has no parameter {option}")
        if bound.setdefault(option, str(value)) != str(value):
            raise click.UsageError(f"--{option} and --param {option}= disagree")
    page = run_page(open_store(store_path), q, bound, limit=size,
                    offset=offset, allow_service=allow_service)
    click.echo(format_rows(page.names, page.rows, fmt), nl=False)
    if page.more:
        assert page.limit is not None
        click.echo(f"kg: more rows follow; next page: --offset {offset + page.limit} "
                   f"(--limit 0 for all rows)", err=True)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def queries(fmt: str) -> None:
    """List the stored queries with their descriptions and parameters."""
    from kg.queries import stored_queries  # start-up: only this command needs it

    qs = stored_queries().values()
    if fmt == "json":
        click.echo(json.dumps([q.to_json() for q in qs], ensure_ascii=False, indent=1))
        return
    click.echo("".join(q.describe() for q in qs), nl=False)


@cli.command()
@click.option("--format", "fmt", default="ttl", show_default=True, metavar="FORMAT",
              help="ttl, nt: the merged graph; nq, trig, jsonld: one named graph per document "
                   "; graphml, gexf, csv: entities and relations for other tools.")
@click.option("-o", "--output", "output", type=LOCAL_PATH, default=None,
              help="File to write (written beside and renamed); standard output if absent.")
@click.option("--store", "store_path", default="out/store", show_default=True,
              metavar="PATH|URL|memory", help="Store to export: a directory or a SPARQL endpoint.")
@click.option("--force", is_flag=True,
              help="Overwrite a build's own output (its kg.ttl, graph.html or store).")
def export(fmt: str, output: Path | None, store_path: str, force: bool) -> None:
    """Write the whole graph of a store as RDF, streaming."""
    from kg.files import umask_mode  # start-up: only this command needs it
    from kg.views.export import export_to  # start-up: only this command needs it

    if output is not None and not force:
        owner = _build_output(output, store_path)
        if owner is not None:
            raise KgError(f"{output}: {owner}; choose another -o, or --force to overwrite it")
    n = export_to(store_path, fmt, output, stdout=sys.stdout.buffer)
    if output is not None:
        if output.is_file():
            output.chmod(umask_mode())  # the mode every other output gets, not 0600
        click.echo(f"wrote {n} statements to {output}", err=True)


BUILD_FILES = ("kg.ttl", "graph.html")  # what `kg build` writes beside its store and cache


def _build_output(path: Path, store_spec: str, reading: str = "the store being exported"
                  ) -> str | None:
    """Why writing `path` would overwrite what a build made (None when it would not): the
    store (or file) being read, named by `reading`, or a file in it, or kg.ttl / graph.html
    of a build's output folder. `kg export` and `kg viz` refuse these without --force."""
    target = path.resolve()
    if not _is_url(store_spec) and store_spec != "memory":
        store = Path(store_spec).resolve()
        if target == store or store in target.parents:
            return f"is {reading}" if target == store else f"is inside {reading}"
    if target.name in BUILD_FILES and any((target.parent / d).is_dir()
                                          for d in ("store", "cache")):
        return f"is the {target.name} of the build in {path.parent}"
    if (target / "store").is_dir() or any(p.name == "store" and (p.parent / "cache").is_dir()
                                          for p in (target, *target.parents)):
        return "is a build's store folder"
    return None


@cli.command(name="eval")
@click.argument("paths", nargs=-1, required=True, type=LOCAL_PATH)
@click.option("--gold", "gold_path", required=True, type=LOCAL_PATH,
              help="Gold annotations (JSONL, docs/extraction-format.md).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", is_flag=True, help="List every false positive and miss.")
@click.option("--by-rule", is_flag=True, help="Each rule's precision and firing count.")
@click.option("--times", "times_path", type=LOCAL_PATH, default=None,
              help="Time gold (JSONL: articles, times, observations): also score "
                   "observations, publication dates and fact times.")
@dates_option
@pkuseg_option
@segmenter_option
def eval_(paths: tuple[Path, ...], gold_path: Path, as_json: bool, errors: bool, by_rule: bool,
          times_path: Path | None, dates_path: Path | None, pkuseg_model: Path | None) -> None:
    """Score extraction of PATHS against GOLD: precision, recall, F1 per type and relation.

    GOLD holds records in the format of docs/extraction-format.md, matched by document id.
    Only the documents both GOLD and PATHS hold are scored; a warning names the others.
    """
    # start-up: only this command needs these
    from kg.corpus.articles import read_date_file
    from kg.extract.evaluate import evaluate_files, format_report, rule_table

    dates = read_date_file(dates_path) if dates_path is not None else None
    report = evaluate_files(paths, gold_path, pkuseg_model=pkuseg_model, warn=_warn,
                            times_path=times_path, dates=dates)
    if as_json:
        data = report.to_json()
        if errors:
            data["errors"] = report.errors
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    click.echo(format_report(report))
    if report.times is not None:
        from kg.extract.timescore import format_times

        click.echo("\n" + format_times(report.times))
    if by_rule:
        click.echo("\n" + rule_table(report))
    if errors:
        click.echo("")
        for e in report.errors:
            click.echo(json.dumps(e, ensure_ascii=False))


graph_source_option = click.option(
    "--store", "source", default="out/store", show_default=True, metavar="PATH",
    help="Store directory, or an RDF file such as out/kg.ttl.")


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _local_source(source: str | Path, command: str) -> Path:
    """The store folder or RDF file a command reads; a SPARQL endpoint is a one-line error
    naming it (kept whole: a Path would turn http:// into http:/)."""
    text = str(source)
    if _is_url(text):
        raise KgError(f"{text}: kg {command} reads a store directory or an RDF file, not a "
                      f"SPARQL endpoint; export it first (kg export --store {text} "
                      "--format nq -o kg.nq) and give that file")
    return Path(text)


@cli.command()
@graph_source_option
@click.option("--focus", default=None, metavar="NAME",
              help="Only what lies within --hops relations of NAME (a name, alias or IRI).")
@click.option("--hops", type=click.IntRange(min=0), default=1, show_default=True,
              help="Relations to follow from --focus, either direction.")
@click.option("--types", default=None, metavar="CLASS,...",
              help="Only these classes: Park,Enterprise,Platform,Project,Region.")
@click.option("--min-degree", type=click.IntRange(min=0), default=0, show_default=True,
              help="Only entities with at least this many relations.")
@click.option("-o", "--output", type=LOCAL_PATH,
              default=Path("out/view.html"), show_default=True, help="HTML file to write.")
@click.option("--title", default=None, help="Page title (default: parks-kg and the focus).")
@click.option("--query", "query_name", default=None, metavar="NAME",
              help="Draw the entities a stored query returns (its IRI cells).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="With --query: bind a query parameter (repeatable).")
@click.option("--texts", "texts", multiple=True, type=click.Path(path_type=Path),
              help="Folder(s) of the source texts, so that evidence names its own article's "
                   "title (repeatable).")
@click.option("--fold-above", type=click.IntRange(min=1), default=None, metavar="N",
              help="Above N entities the overview draws the parks and the best-connected "
                   "others; the rest open on double-click [default: 5000].")
@click.option("--force", is_flag=True,
              help="Overwrite a build's own output (its kg.ttl, graph.html or store).")
def viz(source: str, focus: str | None, hops: int, types: str | None, min_degree: int,
        output: Path, title: str | None, query_name: str | None, params: tuple[str, ...],
        texts: tuple[Path, ...], fold_above: int | None, force: bool) -> None:
    """Draw the graph, or a focus, class, degree or query view of it, as one offline HTML page.

    A view of a store is cut in it by SPARQL, so the whole graph is never loaded for it."""
    from kg.views import render_source  # start-up: only this command needs it

    path = _local_source(source, "viz")
    if not force:
        owner = _build_output(output, str(path), "the graph being drawn")
        if owner is not None:
            raise KgError(f"{output}: {owner}; choose another -o, or --force to overwrite it")
    entities = _query_entities(path, query_name, params) if query_name else None
    with _writing(output):
        drawn = render_source(
            path, output, title=title or f"parks-kg: {focus or query_name or 'graph'}",
            focus=focus, hops=hops if (entities is None or focus) else 0,
            types=types.split(",") if types else None, min_degree=min_degree,
            texts=list(texts) or None, aggregate_above=fold_above, entities=entities,
            progress=_ticker("viz"))
    picked = drawn.graph.get("picked")
    if picked:
        _warn(str(picked))
    if drawn.number_of_nodes() == 0:
        _warn("the view is empty: no entity matches these options")
    click.echo(f"wrote {output}: {drawn.number_of_nodes()} entities, "
               f"{drawn.number_of_edges()} relations", err=True)


def _query_entities(store_path: Path, name: str, params: tuple[str, ...]) -> list[str]:
    """The entity IRIs a stored query returns on the store at `store_path`."""
    from kg.queries import load_query, run_query  # start-up: only this command needs it
    from kg.store import open_store  # start-up: only this command needs it

    store = open_store(store_path)
    try:
        _, rows = run_query(store, load_query(name), _parse_params(params))
    finally:
        store.close()
    iris = (cell.value if type(cell).__name__ == "NamedNode" else str(cell)
            for row in rows for cell in row if type(cell).__name__ in ("NamedNode", "URIRef"))
    return list(dict.fromkeys(iris))


@cli.command()
@graph_source_option
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Rows in each ranking.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def stats(source: str, top: int, fmt: str) -> None:
    """Counts, park rankings, centrality, components and enterprises in several parks."""
    from kg.views import load  # start-up: only this command needs it
    from kg.views.analysis import summarize  # start-up: only this command needs it

    report = summarize(load(_local_source(source, "stats"), evidence=False), top=top)
    click.echo(report.to_json() if fmt == "json" else report.to_text(), nl=False)


@cli.command()
@click.option("--store", "store_path", default="out/store", show_default=True,
              metavar="PATH", help="Built store directory to read.")
@click.option("--online", is_flag=True,
              help="Look up the unlinked nodes on Wikidata (needs the network; cached).")
@click.option("--review", "review_path", type=LOCAL_PATH, default=None,
              help="With --online: write every candidate, scored and explained, to this CSV "
                   "to accept or reject by hand instead of recording links.")
@click.option("--accept", "accept_path", type=LOCAL_PATH, default=None,
              help="Record the accept/reject decisions of a reviewed CSV in the user table.")
@click.option("--table", "user_table", type=LOCAL_PATH, default=None,
              help="User link table, applied first by every build "
                   "[default: $KG_LINKS or ./wikidata-links.csv].")
@click.option("--type", "types", multiple=True,
              type=click.Choice(["Park", "Enterprise", "Platform", "Project", "Region"]),
              help="Node types to look up online (repeatable) [default: Park, Enterprise, "
                   "Region].")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Score from which --online links without review [default: 0.8].")
@click.option("--api-url", envvar="KG_WIKIDATA_API", default=None,
              help="Wikidata action API [default: $KG_WIKIDATA_API or "
                   "https://www.wikidata.org/w/api.php].")
@click.option("--cache-dir", type=LOCAL_PATH, default=None,
              help="Cache of Wikidata answers [default: $KG_CACHE_DIR or "
                   "~/.cache/parks-kg/wikidata].")
@click.option("--delay", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Seconds between two requests to Wikidata.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv"]), default="table",
              show_default=True)
@click.option("--zones", "zone_scope", type=click.Choice(["named", "national", "all"]),
              default=None,
              help="Register zones instead of graph nodes: with --online --review, look up the "
                   "zones the built graph names, every national zone or all; with --accept, "
                   "record the reviewed zone links in the zone link table.")
@click.option("--zone-table", type=LOCAL_PATH, default=None,
              help="Zone link table for --zones [default: kg/data/zone_wikidata.csv of the "
                   "package].")
def link(store_path: str, online: bool, review_path: Path | None, accept_path: Path | None,
         user_table: Path | None, types: tuple[str, ...], threshold: float | None,
         api_url: str | None, cache_dir: Path | None, delay: float, fmt: str,
         zone_scope: str | None, zone_table: Path | None) -> None:
    """Wikidata IDs: coverage of the built graph; --online lookups; --accept reviewed links.

    Offline (the default) it reports how many nodes of each type have a Wikidata ID. Builds
    apply the user table first, then the verified table shipped in kg/data/wikidata.csv.
    With --zones, the register's zones are reconciled instead (docs/register.md).
    """
    from kg.derive import links as lk  # start-up: only this command needs it

    if zone_scope is not None:
        _link_zones(zone_scope, store_path, online, review_path, accept_path, zone_table,
                    threshold, api_url, cache_dir, delay)
        return
    table = user_table or lk.user_table_path()
    if accept_path is not None and (online or review_path is not None):
        raise click.UsageError("--accept records a reviewed file; run it without --online")
    if review_path is not None and not online:
        raise click.UsageError("--review needs --online (it writes what the lookup found)")
    if accept_path is not None:
        res = lk.accept(accept_path, table)
        click.echo(f"{table}: {res.accepted} accepted, {res.rejected} rejected "
                   f"({res.undecided} row(s) left undecided); run `kg build` to apply",
                   err=True)
        return
    from kg.store import open_store  # start-up: only this command needs it

    store = open_store(_local_source(store_path, "link"))
    if online:
        # start-up: only this command needs these
        from kg.wikidata.client import DEFAULT_API, WikidataClient, default_cache_dir
        from kg.wikidata.linker import link_online  # start-up: only this command needs it

        client = WikidataClient(api_url or DEFAULT_API, min_interval=delay,
                                cache_dir=cache_dir or default_cache_dir())
        out = link_online(store, client, user_table=table, review=review_path,
                          types=types or ("Park", "Enterprise", "Region"),
                          threshold=threshold,
                          progress=lambda n: click.echo(f"kg: looking up {n.label}", err=True))
        click.echo(f"{len(out.proposals)} node(s) looked up ({out.requests} request(s), "
                   f"{out.cache_hits} from cache): {out.count('link')} linkable, "
                   f"{out.count('review')} to review, {out.count('none')} without a "
                   "candidate", err=True)
        for path in out.written:
            click.echo(f"wrote {path}", err=True)
        if review_path is None and out.recorded:
            click.echo(f"recorded {out.recorded} link(s) in {table}; run `kg build` "
                       "to apply", err=True)
        return
    rows = lk.coverage(lk.store_nodes(store))
    from kg.formats import to_delimited, to_table  # start-up: only this command needs it

    names = ["type", "nodes", "linked", "share"]
    text = to_table(names, rows) if fmt == "table" else to_delimited(
        names, rows, "," if fmt == "csv" else "\t")
    click.echo(text, nl=False)


_NAMED_ZONES = """PREFIX pk: <https://w3id.org/parks-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?name WHERE { ?park pk:registerZone|pk:partOfZone ?zone .
  ?zone rdfs:label ?name }"""


def _link_zones(scope: str, store_path: str, online: bool, review_path: Path | None,
                accept_path: Path | None, zone_table: Path | None, threshold: float | None,
                api_url: str | None, cache_dir: Path | None, delay: float) -> None:
    """`kg link --zones`: look register zones up for review, or record a reviewed file."""
    from kg.derive.zones import zone_links_path  # start-up: only this command needs it
    from kg.wikidata import zones as wz  # start-up: only this command needs it

    table = zone_table or zone_links_path()
    if accept_path is not None:
        if online or review_path is not None:
            raise click.UsageError("--accept records a reviewed file; run it without --online")
        accepted, rejected, undecided = wz.accept_zones(accept_path, table)
        click.echo(f"{table}: {accepted} accepted, {rejected} rejected ({undecided} row(s) "
                   "left undecided); run `kg build` to apply", err=True)
        return
    if not online or review_path is None:
        raise click.UsageError("--zones needs --online --review FILE (a person decides every "
                               "zone's link) or --accept FILE")
    named: list[str] = []
    if scope == "named":
        from kg.queries import parse_query, run_query  # start-up: only this needs them
        from kg.store import open_store  # start-up: only this command needs it

        store = open_store(_local_source(store_path, "link"))
        named = [row[0].value for row in run_query(store, parse_query(_NAMED_ZONES, "zones"))[1]]
    from kg.wikidata.client import DEFAULT_API, WikidataClient, default_cache_dir

    client = WikidataClient(api_url or DEFAULT_API, min_interval=delay,
                            cache_dir=cache_dir or default_cache_dir())
    out = wz.link_zones(client, wz.scope_zones(scope, named), review=review_path, table=table,
                        threshold=threshold,
                        progress=lambda n: click.echo(f"kg: looking up {n.label}", err=True))
    click.echo(f"{len(out.proposals)} zone(s) looked up ({out.requests} request(s), "
               f"{out.cache_hits} from cache): {out.count('link')} linkable, "
               f"{out.count('review')} to review, {out.count('none')} without a candidate",
               err=True)
    click.echo(f"wrote {review_path}", err=True)


@cli.command()
@click.argument("file", required=False)
@click.option("--store", "store_path", default=None, metavar="PATH",
              help="Store directory to validate [default: out/store].")
def validate(file: str | None, store_path: str | None) -> None:
    """Check the graph against ontology/shapes.ttl (SHACL); exit 1 on violations.

    Validates the union of all named graphs of the store, or of FILE (kg.ttl, .nq, .trig),
    with ontology/parks.ttl as the ontology. Prints each violation under its node (label,
    class), with the property path, the value and the rule's message.
    """
    from kg.rdf.shapes import format_violations  # start-up: only this command needs it
    from kg.rdf.storeshapes import validate_graph, validate_store  # start-up: validate only
    from kg.store import open_store  # start-up: only this command needs it
    from kg.views import read_graph  # start-up: only this command needs it

    if file is not None and store_path is not None:
        raise click.UsageError("give either FILE or --store, not both")
    source = _local_source(file or store_path or "out/store", "validate")
    say = _ticker("validate")
    if source.is_dir():
        store = open_store(source)
        try:
            report = validate_store(store.database(), progress=say)
        finally:
            store.close()
    else:
        report = validate_graph(read_graph(source), progress=say)
    click.echo(format_violations(report), nl=False)
    click.echo(report.summary(str(source)), err=True)
    if not report.conforms:
        sys.exit(1)


@cli.command()
@click.option("--html", "html_path", type=LOCAL_PATH, default=None,
              help="Write the documentation page (classes, properties, rules) to this file.")
def ontology(html_path: Path | None) -> None:
    """List the ontology's classes and properties, or write them as an HTML page (--html)."""
    from kg.rdf.ontology import term_rows, write_html  # start-up: only this command needs it

    if html_path is None:
        from kg.formats import to_table  # start-up: only this command needs it

        names, rows = term_rows()
        click.echo(to_table(names, rows, max_width=40), nl=False)
        return
    if html_path.is_dir():
        raise click.ClickException(f"{html_path}: is a directory; give the HTML file's name")
    with _writing(html_path):
        write_html(html_path)
    click.echo(f"wrote {html_path}", err=True)


@cli.group()
def models() -> None:
    """Segmentation models kept in the user cache ($KG_MODELS_DIR or ~/.cache/parks-kg/models)."""


@models.command(name="install")
@click.argument("name", type=click.Choice(["pkuseg"]))
@click.option("--wheel", type=LOCAL_PATH, default=None,
              help="Convert this pkuseg-0.0.12 wheel instead of fetching it with pip.")
@click.option("--sample", type=LOCAL_PATH, default=None,
              help="Check the conversion on this UTF-8 text instead of the shipped sample.")
def models_install(name: str, wheel: Path | None, sample: Path | None) -> None:
    """Fetch pkuseg 0.0.12 (MIT) with pip, convert its CTB8 news model for spacy-pkuseg and
    check that both segment a sample alike. The only command that uses the network."""
    from kg.lang.segmenters import install_pkuseg  # start-up: only this command needs it

    lines = None
    if sample is not None:
        try:
            lines = sample.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"{sample}: cannot read as UTF-8 text ({exc})") from None
    report = install_pkuseg(wheel=wheel, sample=lines, say=lambda m: click.echo(m, err=True))
    check, counts = report["check"], report["converted"]
    click.echo(f"checked: {check['words']} words on {check['lines']} sample lines, "
               f"{check['differ']} lines segmented differently", err=True)
    click.echo(f"converted {counts['features']} features, {counts['weights']} weights, "
               f"{counts['unigrams']} words in {report['seconds']} s", err=True)
    click.echo(f"installed {report['model']} (use it with --segmenter pkuseg)", err=True)


def main() -> None:
    """Entry point for `python -m kg`."""
    cli()
