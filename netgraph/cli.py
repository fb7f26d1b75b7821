"""The ``netgraph`` command line."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import click
import pandas as pd

from . import schema
from .analysis.communities import METHODS
from .analysis.leads import METHODS as LEAD_METHODS
from .analysis.leads import evaluate, fit_model
from .analysis.network import MAX_HUB_PEOPLE, person_network
from .analysis.ties import PERSON_LINKS
from .ingest import review
from .ingest.cells import write_csv
from .ingest.load import MissingColumnsError, load_file
from .ingest.mapping import available_mappings
from .resolution.linkage import THRESHOLD, explain, resolve
from .resources import NetgraphError, loaders_dir, netgraph_version
from .space_time import routes
from .space_time.outcomes import outcomes
from .space_time.timeline import case_timeline, snapshots
from .store import open_store
from .store.base import SEIZURE_DATES, SEIZURES_WITH_TAXON, UNMATCHED_COMMODITIES
from .store.queries import list_queries, run_query
from .views.chart import case_chart
from .views.export import flat, write_tables
from .views.release import ReleaseView
from .views.route_map import PLACE_TOP_LEGS, route_map, shift_chart

SAMPLE_FILES = [("cen_customs_sample.csv", "cen_customs"), ("vn_agency_sample.xlsx", "vn_agency")]
@dataclass(frozen=True)
class StoreTarget:
    """Where a command's graph lives: an embedded database file or a Neo4j server."""
    path: Path | None
    uri: str | None
    database: str | None

    def open(self, read_only: bool = False):
        if self.uri:  # never a file: a URI that is not Neo4j's is an error, not an embedded store named like it
            from .store.neo4j import Neo4jStore
            return Neo4jStore(self.uri, database=self.database)
        if read_only and not self.path.exists():
            raise click.ClickException(f"no netgraph database at {self.path}")
        return open_store(self.path, read_only=read_only)


def store_options(command):
    """--db PATH (embedded) or --neo4j URI (credentials from NEO4J_USERNAME / NEO4J_PASSWORD or the
    config file, never from the command line)."""
    @click.option("--db", type=click.Path(path_type=Path), help="The embedded netgraph database file.")
    @click.option("--neo4j", "neo4j_uri", help="A Neo4j 5 server instead, e.g. neo4j://host:7687.")
    @click.option("--neo4j-database", help="The Neo4j database [default: the server's default].")
    @functools.wraps(command)
    def wrapper(db, neo4j_uri, neo4j_database, **kwargs):
        if bool(db) == bool(neo4j_uri):
            raise click.UsageError("give exactly one of --db PATH or --neo4j URI")
        return command(db=StoreTarget(db, neo4j_uri, neo4j_database), **kwargs)
    return wrapper


DEBUG = "netgraph.debug"


class Commands(click.Group):
    """netgraph's commands: an error netgraph explains (bad input, a refused limit) ends a command with its
    message, no traceback; anything else with its kind and a pointer to ``--debug``, which shows tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except (NetgraphError, MissingColumnsError) as exc:
            if ctx.meta.get(DEBUG):
                raise
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a file that cannot be opened or written: the system's words and the path
            if ctx.meta.get(DEBUG):
                raise
            what = exc.strerror or type(exc).__name__
            raise click.ClickException(f"{what}: {exc.filename}" if exc.filename else what) from None
        except Exception as exc:  # not a message of ours: it may quote a file, so only its kind is shown
            if ctx.meta.get(DEBUG):
                raise
            raise click.ClickException(
                f"netgraph stopped on an unexpected {type(exc).__name__}; run the command again with "
                "`netgraph --debug ...` to see where, and report it") from None


def _expected(exc: Exception) -> click.ClickException:
    """An error a command expects (an unknown id, a bad parameter) as its message; with --debug, raised again
    with its traceback."""
    if click.get_current_context().meta.get(DEBUG):
        raise exc
    return click.ClickException(str(exc) if not isinstance(exc, KeyError) else str(exc.args[0]))


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(netgraph_version(), prog_name="netgraph")
@click.option("--debug", is_flag=True, help="Show the traceback of an error, not only its message.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """netgraph: wildlife-seizure records → the network of the organisations behind them."""
    ctx.meta[DEBUG] = debug


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "-m", required=True, help=f"A shipped mapping ({', '.join(available_mappings())}) "
              "or a mapping YAML file.")
@store_options
@click.option("--rejects", type=click.Path(path_type=Path), help="Folder for rejects files [default: beside --db; "
              "with --neo4j, ~/.local/share/netgraph/rejects/HOST-PORT-DATABASE].")
@click.option("--encoding", help="Text encoding, e.g. cp1258 or gb18030 [default: the mapping's, else detected].")
@click.option("--delimiter", help="CSV delimiter [default: the mapping's, else detected].")
@click.option("--resolve", "then_resolve", is_flag=True, help="Resolve people afterwards (see `netgraph resolve`).")
@click.option("--decisions", type=click.Path(path_type=Path), help="With --resolve: the analyst's decisions CSV.")
@click.option("--review-decisions", type=click.Path(path_type=Path), help="The analyst's review decisions CSV "
              "(see `netgraph review`): how the places, commodity texts and company names it names are read.")
@click.option("--again", is_flag=True, help="Load a file even if the store says it loaded these exact bytes with "
              "the same mapping last (by default such a load would change nothing and is skipped).")
@click.option("--engine", type=click.Choice(["embedded", "spark"]), default="embedded", show_default=True,
              help="spark: compile and merge on Spark (the `spark` extra), write the tables as Parquet, then put "
              "them into the store (COPY into an empty embedded store, batched writes otherwise).")
@click.option("--master", default="local[2]", show_default=True, help="With --engine spark: the Spark master URL "
              "(local[N], spark://host:7077, yarn, k8s://…).")
@click.option("--tables", type=click.Path(path_type=Path), help="With --engine spark: the folder for the Parquet "
              "tables, one subfolder per file [default: beside --db, <db>.spark]; on a cluster, a shared one.")
def load(files: tuple[Path, ...], mapping: str, db: StoreTarget, rejects: Path | None, encoding: str | None,
         delimiter: str | None, then_resolve: bool, decisions: Path | None, review_decisions: Path | None,
         again: bool, engine: str, master: str, tables: Path | None) -> None:
    """Load seizure records from FILES (CSV, XLSX, JSON) into the store."""
    if engine == "spark":
        if review_decisions:
            raise click.UsageError("--review-decisions works with the embedded engine only (Spark's workers do "
                                   "not read them)")
        return _load_on_spark(files, mapping, db, rejects, encoding, delimiter, master, tables, then_resolve,
                              decisions)
    with db.open() as store:
        for path in files:
            report = load_file(path, mapping, store, rejects_dir=rejects, encoding=encoding, delimiter=delimiter,
                               again=again, decisions=review_decisions)
            click.echo(report.summary())
        if then_resolve:
            click.echo(describe_resolution(resolve(store, decisions)))


def _load_on_spark(files, mapping, db: StoreTarget, rejects, encoding, delimiter, master, tables, then_resolve,
                   decisions) -> None:
    from .ingest.spark import copy_tables, running, spark_load
    if tables is None:
        if db.path is None:
            raise click.UsageError("with --neo4j, --engine spark needs --tables FOLDER for the Parquet tables")
        tables = db.path.with_name(db.path.name + ".spark")
    with running(master) as spark, db.open() as store:
        for path in files:
            result = spark_load(spark, path, mapping, tables / path.name, encoding=encoding, delimiter=delimiter,
                                rejects_dir=rejects or (db.path.parent if db.path else None))
            gained = copy_tables(store, result)
            click.echo(result.summary())
            click.echo("added: " + ", ".join(f"{k} {v}" for k, v in gained.items()))
        if then_resolve:
            click.echo(describe_resolution(resolve(store, decisions)))


@main.command()
@store_options
def info(db: StoreTarget) -> None:
    """Counts by label and type, date range, sources and rejects of a store."""
    with db.open(read_only=True) as store:
        click.echo(describe_store(store))


@main.command()
@click.option("--db", type=click.Path(path_type=Path, exists=True), required=True,
              help="The embedded netgraph database file.")
def repair(db: Path) -> None:
    """Make a store open again after a write was cut short (a killed load, a full disk): LadybugDB replays
    its log and finishes an interrupted checkpoint; a damaged log is kept aside and replayed up to the damage.
    Then show what the store holds (a load cut short says INCOMPLETE: load its file again)."""
    from .store.ladybug import LadybugStore
    click.echo(LadybugStore.repair(db))
    with open_store(db, read_only=True) as store:
        click.echo(describe_store(store))


def describe_store(store) -> str:
    """A plain-text summary of what a store holds (used by ``netgraph info``)."""
    counts = store.counts()
    lines = [f"netgraph store {store!r}", "", "nodes:"]
    lines += [f"  {label:<14}{counts[label]:>8}" for label in schema.NODE_TYPES if label in counts]
    lines += ["relationships:"]
    lines += [f"  {rel:<14}{counts[rel]:>8}" for rel in schema.REL_TYPES if rel in counts]
    seizures = store.query(SEIZURE_DATES)
    if counts.get("Seizure"):
        first, last = (pd.Timestamp(seizures.iloc[0][c]).date() for c in ("first", "last"))
        lines += ["", f"seizure dates: {first} to {last}"]
    if counts.get("SEIZED"):  # what was seized: taxa found, and the texts that name none (kept as written)
        named = store.query(SEIZURES_WITH_TAXON)
        with_taxon, total, shown = int(named.iloc[0]["n"]) if len(named) else 0, counts.get("Seizure", 0), 30
        lines += ["", f"seizures with a taxon: {with_taxon} of {total}" + (f" ({with_taxon / total:.1%})" if total else "")]
        unmatched = store.query(UNMATCHED_COMMODITIES)
        if len(unmatched):
            lines.append(f"commodity texts that name no known taxon ({len(unmatched)}; text: seizures; add them "
                         "to loaders/vocab/commodities.yaml):")
            lines += [f"  {row.text}: {row.seizures}" for row in unmatched.head(shown).itertuples()]
            if len(unmatched) > shown:
                lines.append(f"  … and {len(unmatched) - shown} more")
    if counts.get("Location") or counts.get("SEIZED"):
        found = review.summary(store)
        lines += ["", "to review (netgraph review places|species): places " + ", ".join(
            f"{n} {k}" for k, n in found["places"].items()) + "; seizures' species " + ", ".join(
            f"{n} {k}" for k, n in found["species"].items())]
    records = store.records()
    if len(records):
        lines += ["records by source and agency:"]
        records = records.assign(agency=records["agency"].where(records["agency"].notna(), "(no agency given)"))
        by_source = records.groupby(["source", "agency"]).size().sort_index()
        lines += [f"  {src} / {agency}: {n}" for (src, agency), n in by_source.items()]
    loads = store.node_frame("Load")
    if len(loads):
        lines += ["", "loads (read = loaded + rejected):"]
        writer = store.writer_pid() if hasattr(store, "writer_pid") else None  # None: cannot be told
        for row in loads.itertuples():
            if row.status == "incomplete":
                lines.append(f"  {row.file} with {row.mapping}: " + (
                    f"IN PROGRESS (process {writer} is writing the store now; if that is not this load, load the "
                    "file again when it has finished)" if writer else
                    "INCOMPLETE (stopped while writing; load the file again to complete it)" if writer == 0 else
                    "INCOMPLETE (in progress, or stopped while writing: if nothing is loading it, load the file "
                    "again to complete it)"))
                continue
            lines.append(f"  {row.file} with {row.mapping}: {int(row.read)} = {int(row.loaded)} + {int(row.rejected)}"
                         + (f"   rejects: {row.rejects_file}" if isinstance(row.rejects_file, str) else "")
                         + (f"   conflicts: {row.conflicts_file}" if isinstance(row.conflicts_file, str) else ""))
    return "\n".join(lines)


def scope_options(command):
    """The options that choose which evidence a network rests on."""
    options = [
        click.option("--from", "date_from", help="First record date (YYYY-MM-DD)."),
        click.option("--to", "date_to", help="Last record date (YYYY-MM-DD)."),
        click.option("--country", "countries", multiple=True, help="Seizure country, ISO code (repeatable)."),
        click.option("--commodity", "commodities", multiple=True, help="Commodity name, taxon or product."),
        click.option("--min-reliability", type=click.Choice(list("ABCDE")), help="Keep records graded this or better."),
        click.option("--min-validity", type=click.IntRange(1, 5), help="Keep records graded this or better."),
        click.option("--via", default="", help="What ties two people: comma-separated kinds of shared link "
                     f"({', '.join(PERSON_LINKS)}, or an event kind a mapping declared, e.g. meeting); "
                     "default: every kind the store holds."),
        click.option("--max-hub-people", default=MAX_HUB_PEOPLE, show_default=True, type=click.IntRange(2),
                     help="A hub (vessel, flight, phone …) shared by more people ties no one; the method stamp "
                     "lists the hubs left out."),
        click.option("--release-level", type=click.IntRange(1, 5), help="For an audience: build everything from "
                     "what records with a handling code at most this assert (names included) [default: every "
                     "record]."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def link_kinds_option(via: str) -> tuple[str, ...]:
    """The kinds of tie a --via value names (comma-separated; empty: none named)."""
    return tuple(v.strip() for v in via.split(",") if v.strip())


def build_person_network(store, via, release_level: int | None = None, **scope):
    kinds = link_kinds_option(via) or None  # None: every kind
    if release_level is not None:  # everything from the release view: no name a withheld record alone gives
        store = ReleaseView(store, release_level, scope.get("date_from"), scope.get("date_to"))
        scope["max_handling"] = release_level
    counts = store.counts()
    if not counts.get("Person"):
        raise click.ClickException(
            f"this store names no people ({counts.get('Seizure', 0)} seizures from {counts.get('Record', 0)} "
            "records), so a person network has nothing to show. What the data supports: `netgraph routes` "
            "(legs, flows by commodity, hubs), `netgraph outcomes`, `netgraph timeline` and the named queries "
            "(`netgraph query`)" if counts.get("Record") else "this store is empty: load records first "
            "(`netgraph load --mapping NAME --db PATH FILE`)")
    try:
        net = person_network(store, via=kinds, **scope)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if not len(net.nodes):
        raise click.ClickException("no person is named by a record that passes these filters (dates, grading, "
                                   "release level, countries, commodities); widen them")
    return net


@main.command()
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the reports.")
@scope_options
@click.option("--method", type=click.Choice(METHODS), default="leiden", show_default=True)
@click.option("--seed", default=0, show_default=True, help="Seed for community detection and sampling.")
@click.option("--betweenness-k", type=int, help="Estimate betweenness from K sampled sources [default: exact up "
              "to 5,000 people, sampled above; K at least the people: exact].")
@click.option("--group", help="Node attribute for brokerage roles [default: nationality, else community].")
def analyse(db: StoreTarget, out: Path, method: str, seed: int, betweenness_k: int | None, group: str | None,
            via: str, **scope) -> None:
    """Write the broker report and group profiles of the person network (CSV and XLSX)."""
    with db.open(read_only=True) as store:
        for path in run_analysis(store, out, via, method, seed, betweenness_k, group, **scope):
            click.echo(f"wrote {path}")


def run_analysis(store, out: Path, via: str, method: str = "leiden", seed: int = 0,
                 betweenness_k: int | None = None, group: str | None = None, **scope) -> list[Path]:
    net = build_person_network(store, via, **scope)
    brokers = net.broker_report(group=group, method=method, seed=seed, betweenness_k=betweenness_k)
    groups = net.group_profiles(method=method, seed=seed)
    stamp = net.method_stamp(method=method, seed=seed, betweenness_k=betweenness_k,
                             group=group or net.default_group(), store=str(store))
    return write_tables(out, {"broker_report": brokers, "group_profiles": groups}, stamp)


@main.command()
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for leads.csv and friends.")
@scope_options
@click.option("--method", type=click.Choice([*LEAD_METHODS, "model"]), default="adamic_adar", show_default=True,
              help="A topological score, or 'model' (calibrated logistic regression trained on this network).")
@click.option("--k", default=50, show_default=True, help="How many leads overall.")
@click.option("--hops", type=click.Choice(["2", "3"]), default="2", show_default=True, help="Candidate distance.")
@click.option("--seed", default=0, show_default=True)
@click.option("--write-back", is_flag=True, help="Store the leads as SUSPECTED_LINK relationships.")
@click.option("--evaluate", "run_evaluation", is_flag=True, help="Also write evaluation.csv (hidden-tie test).")
def leads(db: StoreTarget, out: Path, via: str, method: str, k: int, hops: str, seed: int, write_back: bool,
          run_evaluation: bool, **scope) -> None:
    """Rank probably-missing ties (leads) with their reasons and the records behind them."""
    with db.open(read_only=not write_back) as store:
        net = build_person_network(store, via, **scope)
        model = fit_model(net, seed=seed) if method == "model" else None
        found = net.leads(k=k, method=method, hops=int(hops), model=model)
        tables = {"leads": found}
        if run_evaluation:
            tables["evaluation"] = evaluate(net, seeds=range(seed, seed + 5))
        stamp = net.method_stamp(method=method, k=k, hops=int(hops), seed=seed, store=str(store))
        for path in write_tables(out, tables, stamp, workbook="netgraph_leads.xlsx"):
            click.echo(f"wrote {path}")
        if write_back:
            click.echo(f"stored {store.write_leads(found, method)} SUSPECTED_LINK relationships ({method})")


@main.command()
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The HTML file to write.")
@scope_options
@click.option("--color-by", default="community", show_default=True, help="community or a node column.")
@click.option("--size-by", default="pagerank", show_default=True, help="A centrality measure.")
@click.option("--max-nodes", default=1500, show_default=True, help="Reduce larger networks to top brokers' egos.")
@click.option("--seed", default=0, show_default=True)
def graph(db: StoreTarget, out: Path, via: str, color_by: str, size_by: str, max_nodes: int, seed: int, **scope) -> None:
    """Write the person network as one self-contained interactive HTML file."""
    with db.open(read_only=True) as store:
        net = build_person_network(store, via, **scope)
        click.echo(f"wrote {net.to_html(out, color_by=color_by, size_by=size_by, max_nodes=max_nodes, seed=seed)}")


def case_options(command):
    """The options that choose a case: suspects, radius, date window, release level and kinds of tie."""
    options = [
        click.option("--suspect", "suspects", multiple=True, required=True,
                     help="Entity id or exact name (repeatable)."),
        click.option("--radius", default=1, show_default=True, help="Steps out from the suspects."),
        click.option("--from", "date_from", help="First record date (YYYY-MM-DD)."),
        click.option("--to", "date_to", help="Last record date (YYYY-MM-DD)."),
        click.option("--release-level", default=3, show_default=True, type=click.IntRange(1, 5),
                     help="Withhold records whose handling code is above this."),
        click.option("--via", default=",".join(PERSON_LINKS), show_default=True, help="What ties two people."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@store_options
@case_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="case.pdf (SVG, PNG, CSV beside it).")
@click.option("--anonymise", is_flag=True, help="Name only the suspects; others become 'Person N'.")
@click.option("--lang", type=click.Choice(["en", "vi", "zh"]), default="en", show_default=True)
def chart(db: StoreTarget, suspects, out: Path, radius: int, date_from, date_to, release_level: int, anonymise: bool,
          lang: str, via: str) -> None:
    """Write a court-ready case chart (PDF, SVG, PNG) with its evidence table."""
    kinds = link_kinds_option(via)
    with db.open(read_only=True) as store:
        result = case_chart(store, list(suspects), out, radius, date_from, date_to, release_level, anonymise, lang,
                            kinds)
    for path in result.paths:
        click.echo(f"wrote {path}")
    click.echo(f"{result.pages} pages; {len(result.links)} links, {len(result.evidence)} evidence rows")


@main.command()
@click.option("--out", default="demo-out", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the database, rejects and reports.")
def demo(out: Path) -> None:
    """Load the bundled samples into OUT/sample.lbdb and write the reports (the README's main command)."""
    samples = loaders_dir() / "samples"
    out.mkdir(parents=True, exist_ok=True)
    with open_store(out / "sample.lbdb") as store:
        for name, mapping in SAMPLE_FILES:
            click.echo(load_file(samples / name, mapping, store, rejects_dir=out / "rejects").summary())
        click.echo(describe_resolution(resolve(store)))
        click.echo(describe_store(store))
        for path in run_analysis(store, out, ""):
            click.echo(f"wrote {path}")
        click.echo(f"wrote {person_network(store).to_html(out / 'network.html')}")


@main.command("routes")
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the tables and maps.")
@click.option("--level", type=click.Choice(["country", "place"]), default="country", show_default=True)
@click.option("--from", "date_from", help="First record date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Last record date (YYYY-MM-DD).")
@click.option("--compare", nargs=2, metavar="FROM:TO FROM:TO", help="Two periods to compare (route shift).")
@click.option("--top-legs", type=click.IntRange(0), help="Draw the N legs with most seizures; the map says how many "
              f"it leaves out (0: every leg) [default: every leg at country level, {PLACE_TOP_LEGS} at place level].")
def routes_command(db: StoreTarget, out: Path, level: str, date_from, date_to, compare, top_legs: int | None) -> None:
    """Route legs, transit hubs, commodity × route, route shift, and a route map (HTML and PNG)."""
    with db.open(read_only=True) as store:
        tables = {"legs": routes.flows(store, level, date_from=date_from, date_to=date_to),
                  "legs_by_commodity": routes.flows(store, level, True, date_from, date_to),
                  "hubs": routes.hubs(store, level, date_from, date_to),
                  "commodity_routes": routes.commodity_routes(store, date_from, date_to)}
        if compare:
            periods = [tuple(p.split(":", 1)) for p in compare]
            shift = routes.route_shift(store, periods[0], periods[1], level)
            tables.update({f"shift_{name}": frame for name, frame in shift.items()})
            out.mkdir(parents=True, exist_ok=True)
            shift_chart(shift, out / "route_shift.png")
        stamp = {"netgraph_version": netgraph_version(), "level": level, "date_from": date_from,
                 "date_to": date_to, "compare": compare, "store": str(store)}
        for path in write_tables(out, tables, stamp, workbook="netgraph_routes.xlsx"):
            click.echo(f"wrote {path}")
        if top_legs is None:
            top_legs = PLACE_TOP_LEGS if level == "place" else 0
        drawn = route_map(store, out / "route_map.html", out / "route_map.png", level, date_from, date_to,
                          top_legs or None)
        click.echo(f"wrote {out / 'route_map.html'} and {out / 'route_map.png'}: {drawn['note']}")


@main.command("timeline")
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the tables.")
@click.option("--freq", type=click.Choice(["M", "Q", "Y"]), default="Y", show_default=True,
              help="Periods: month, quarter or year.")
@click.option("--person", "people", multiple=True, help="Also write the timeline of these people (ids).")
def timeline_command(db: StoreTarget, out: Path, freq: str, people) -> None:
    """The network period by period (new, gone, persistent brokers, group stability) and case timelines."""
    with db.open(read_only=True) as store:
        tables = {"snapshots": snapshots(store, freq)}
        if people:
            tables["case_timeline"] = case_timeline(store, list(people))
        stamp = {"netgraph_version": netgraph_version(), "freq": freq, "people": list(people), "store": str(store)}
        for path in write_tables(out, tables, stamp, workbook="netgraph_timeline.xlsx"):
            click.echo(f"wrote {path}")


@main.command("outcomes")
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the tables.")
@click.option("--by", default="agency,year", show_default=True,
              help="Comma-separated groups: agency, year, country, place, joint.")
def outcomes_command(db: StoreTarget, out: Path, by: str) -> None:
    """Seizures, arrests, prosecutions, convictions, conversion rates and joint cases per group."""
    groups = tuple(g.strip() for g in by.split(",") if g.strip())
    with db.open(read_only=True) as store:
        try:
            table = outcomes(store, groups)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--by") from None
        stamp = {"netgraph_version": netgraph_version(), "by": list(groups), "store": str(store)}
        for path in write_tables(out, {"outcomes": table}, stamp, workbook="netgraph_outcomes.xlsx"):
            click.echo(f"wrote {path}")


@main.command("resolve")
@store_options
@click.option("--decisions", type=click.Path(path_type=Path),
              help="CSV of analyst decisions: a, b (person ids), decision (must_link / cannot_link), note.")
@click.option("--threshold", default=THRESHOLD, show_default=True, type=click.FloatRange(0.5, 1.0),
              help="Match probability above which two spellings are one person.")
@click.option("--engine", type=click.Choice(["embedded", "spark"]), default="embedded", show_default=True,
              help="spark: score the pairs with Splink's Spark backend (the `spark` extra), same settings.")
@click.option("--master", default="local[2]", show_default=True, help="With --engine spark: the Spark master URL.")
def resolve_command(db: StoreTarget, decisions: Path | None, threshold: float, engine: str, master: str) -> None:
    """Resolve people across spellings, scripts and agencies (replaces any earlier resolution)."""
    with db.open() as store:
        try:
            if engine == "spark":
                from .ingest.spark import running
                from .resolution.spark import resolve_on_spark
                with running(master) as spark:
                    click.echo(describe_resolution(resolve_on_spark(store, spark, decisions, threshold)))
            else:
                click.echo(describe_resolution(resolve(store, decisions, threshold)))
        except ValueError as exc:
            raise _expected(exc) from None


def describe_resolution(result) -> str:
    people = result.clusters["resolved_id"].nunique()
    by = result.links["decided_by"].value_counts().to_dict() if len(result.links) else {}
    pairs = "" if result.blocking is None else "candidate pairs per blocking key: " + ", ".join(
        f"{r.key} {r.pairs:,}" + ("" if r.used else " (left out)") for r in result.blocking.itertuples())
    return "\n".join([f"resolved {len(result.clusters)} person records into {people} people ({result.merged} "
                      f"merged; links by {by or 'nobody'}; threshold {result.threshold})", *result.notes,
                      *([pairs] if pairs else [])])


@main.group("review")
def review_group() -> None:
    """Values read with low confidence or not at all, with their counts and candidates; an analyst's decisions
    on them go into a CSV (kind,text,decision,decided_by,note) that `netgraph load --review-decisions` applies."""


def _review_command(kind: str, name: str):
    @review_group.command(name, help=f"List the {name} to review, and how far the decisions are applied.")
    @store_options
    @click.option("--decisions", type=click.Path(path_type=Path), help="The review decisions CSV: decided values "
                  "are left out of the list and shown with whether the store shows them applied.")
    @click.option("--out", type=click.Path(path_type=Path), help="Also write the list as CSV.")
    def command(db: StoreTarget, decisions: Path | None, out: Path | None) -> None:
        decided = review.read_decisions(decisions) if decisions else None
        with db.open(read_only=True) as store:
            found = review.review(store, kind, decided).astype(object).fillna("")
            status = review.decision_status(store, decided, kind) if decided else None
        with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", None):
            click.echo(f"{len(found)} {name} to review" + (f":\n{found.to_string(index=False)}" if len(found) else ""))
            if status is not None:
                click.echo(f"decisions ({decided.path}):\n" + (status.to_string(index=False) if len(status) else
                                                                  "  none of this kind"))
        if out:
            write_csv(found, out)
    return command


for _kind, _name in (("place", "places"), ("species", "species"), ("organisation", "organisations")):
    _review_command(_kind, _name)


@main.command("explain")
@store_options
@click.argument("person")
def explain_command(db: StoreTarget, person: str) -> None:
    """Why PERSON (an id) is merged with whom: scores, agreeing fields, threshold, who decided."""
    with db.open(read_only=True) as store:
        try:
            links = explain(store, person)
        except KeyError as exc:
            raise _expected(exc) from None
    click.echo(flat(links.drop(columns="sources")).to_string(index=False) if len(links) else
               f"{person} is not merged with anyone")


@main.command("query")
@store_options
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, help="A parameter as key=value (repeatable).")
@click.option("--out", type=click.Path(path_type=Path), help="Write the rows to this CSV file.")
def query_command(db: StoreTarget, name: str | None, params: tuple[str, ...], out: Path | None) -> None:
    """Run a named query (without NAME: list them)."""
    queries = list_queries()
    if not name:
        for query in queries.values():
            click.echo(f"{query.name:<30} {query.description}  [params: {', '.join(query.params) or '-'}]")
        return
    values = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not key=value", param_hint="--param")
        values[key] = int(value) if value.lstrip("-").isdigit() else value
    with db.open(read_only=True) as store:
        try:
            rows = run_query(store, name, **values)
        except (KeyError, ValueError) as exc:
            raise _expected(exc) from None
    if out:
        write_csv(flat(rows), out)  # formula-like cells get a leading ' (CSV injection)
        click.echo(f"wrote {len(rows)} rows to {out}")
    else:
        click.echo(flat(rows).to_string(index=False) if len(rows) else "(no rows)")


@main.command("schema")
def show_schema() -> None:
    """Print the POLE+ data model."""
    click.echo(schema.describe())


@main.command("export")
@store_options
@click.option("--neo4j-admin", "admin_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the node and relationship CSVs that `neo4j-admin database import full` reads.")
@click.option("--target-database", default="neo4j", show_default=True,
              help="The Neo4j database the printed command imports into.")
def export_command(db: StoreTarget, admin_dir: Path, target_database: str) -> None:
    """Write the store as CSVs for Neo4j's offline bulk importer and print the command that imports them (a
    first load of a big data set: load it with --db, export, import)."""
    from .store.neo4j_admin import write_neo4j_admin
    with db.open(read_only=True) as store:
        written = write_neo4j_admin(store, admin_dir)
    nodes = sum(written.counts.get(label, 0) for label in written.node_files)
    click.echo(f"wrote {nodes} nodes in {len(written.node_files)} files and {sum(written.counts.values()) - nodes} "
               f"relationships in {len(written.relationship_files)} files to {admin_dir}")
    click.echo("import them on the Neo4j machine (the database must not exist yet; on Community, stop the server "
               "and add --overwrite-destination=true, which replaces all the database holds):")
    click.echo(written.command(target_database))
    click.echo("the first netgraph command against it then creates netgraph's constraints and indexes")


@main.group("package")
def package_group() -> None:
    """Case packages: a case sent to another agency, signed, with its provenance (README, 'Case packages')."""


@package_group.command("export")
@store_options
@case_options
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The package, e.g. "
              "case.ngpkg.")
@click.option("--recipient", required=True, help="The agency the package is for, e.g. CN-GX-ASB.")
@click.option("--key", "key_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Your private key (from `netgraph keys new`), which signs the package.")
@click.option("--pseudonymise", is_flag=True, help="Replace every person but the suspects by a keyed pseudonym.")
@click.option("--also", "formats", multiple=True, type=click.Choice(["graphml", "gexf", "i2"]),
              help="Also write the case beside OUT as GraphML, GEXF or i2 entity/link CSVs (repeatable).")
def package_export(db: StoreTarget, suspects, out: Path, recipient: str, key_file: Path, radius: int, date_from,
                   date_to, release_level: int, pseudonymise: bool, via: str, formats) -> None:
    """Export the case around the suspects as a signed package (logged in the store)."""
    from .exchange import export_package, write_interchange
    kinds = link_kinds_option(via)
    if db.path is not None and not db.path.exists():
        raise click.ClickException(f"no netgraph database at {db.path}")
    with db.open() as store:  # the export is logged in the store
        done = export_package(store, list(suspects), out, key_file, recipient, radius, date_from, date_to,
                              release_level, kinds, pseudonymise)
    counts, withheld = done.manifest["counts"], done.manifest["withheld"]
    click.echo(f"wrote {out}: {counts['nodes'].get('Person', 0)} people, {counts['nodes'].get('Record', 0)} records, "
               f"{sum(counts['relationships'].values())} relationships for {recipient} at release level "
               f"{release_level}; withheld: {withheld['records']} record(s), {withheld['entities']} person(s), "
               f"{withheld['ties']} tie(s)")
    click.echo(f"manifest SHA-256 {done.manifest_sha256}; signed by key {done.manifest['sender_key'][:16]}…")
    for path in write_interchange(done, out.with_suffix(""), formats) if formats else []:
        click.echo(f"wrote {path}")


@package_group.command("import")
@click.argument("package", type=click.Path(dir_okay=False, path_type=Path))
@store_options
@click.option("--trust", "trusted", multiple=True, required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The sender's public key (.pub; repeatable): the package must be signed by one of them.")
@click.option("--no-link", is_flag=True, help="Skip the entity-resolution report on the imported people.")
def package_import(package: Path, db: StoreTarget, trusted, no_link: bool) -> None:
    """Verify PACKAGE and merge it into the store; report what is new (logged in the store)."""
    from .exchange import import_package
    with db.open() as store:
        report = import_package(store, package, list(trusted), link=not no_link)
    click.echo(report.summary())


@package_group.command("log")
@store_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the log to this CSV file.")
def package_log_command(db: StoreTarget, out: Path | None) -> None:
    """List every export and import of a case package logged in the store."""
    from .exchange import package_log
    with db.open(read_only=True) as store:
        log = package_log(store)
    if out:
        click.echo(f"wrote {write_csv(log, out)}")
    if log.empty:
        click.echo("no case package was exported or imported with this store")
    for row in log.itertuples(index=False):
        click.echo(f"{row.at}  {row.direction:<6}  {row.user}  {row.file}  recipient {row.recipient}  release level "
                   f"{row.release_level}  manifest {str(row.manifest_sha256)[:16]}  {row.status}")


@main.group("keys")
def keys_group() -> None:
    """Signing keys for case packages."""


@keys_group.command("new")
@click.argument("name", type=click.Path(dir_okay=False, path_type=Path))
def keys_new(name: Path) -> None:
    """Make a key pair: NAME.key (private, mode 0600, keep it) and NAME.pub (give it to recipients)."""
    from .exchange import new_keys
    pair = new_keys(name)
    click.echo(f"wrote {pair.private} (private: keep it, never send it) and {pair.public} (public: give it to the "
               f"agencies you send packages to)")
    click.echo(f"fingerprint {pair.fingerprint} (read it out to recipients so they can check the .pub file)")


# --- risk management (issue 20) -----------------------------------------------------------------------------
@main.group("risk")
def risk_group() -> None:
    """Risk indicators from past seizures, risk profiles, targeting and the back-test."""


@risk_group.command("indicators")
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the tables.")
@click.option("--from", "date_from", help="First seizure date (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Last seizure date (YYYY-MM-DD).")
@click.option("--min-seizures", default=5, show_default=True, type=click.IntRange(1),
              help="Seizures a combination or candidate must rest on.")
@click.option("--min-lift", default=1.5, show_default=True, type=click.FloatRange(0), help="Lift a candidate needs.")
def risk_indicators(db: StoreTarget, out: Path, date_from, date_to, min_seizures: int, min_lift: float) -> None:
    """Indicators per dimension, recurring combinations and ranked candidate indicators (CSV, XLSX)."""
    from .risk import indicators as ind
    from .risk.report import method_stamp
    with db.open(read_only=True) as store:
        chosen = ind.events(store, date_from=date_from, date_to=date_to)
        if not len(chosen):
            raise click.ClickException("no seizures in this store (in this window): indicators come from seizures")
        found = ind.facts(store, chosen=chosen)
        tables = {"indicators": ind.indicator_table(store, found=found, chosen=chosen),
                  "combinations": pd.concat([ind.combinations(store, size, min_seizures=min_seizures, found=found,
                                                              chosen=chosen) for size in (2, 3)], ignore_index=True),
                  "candidates": ind.candidates(store, min_seizures, min_lift, date_from, date_to)}
        for name in ("combinations", "candidates"):  # conditions as text: dimension=value; …
            tables[name]["conditions"] = tables[name]["conditions"].map(
                lambda c: "; ".join(f"{k}={v}" for k, v in c.items()))
        stamp = method_stamp("risk indicators", (chosen[["id", "records"]],), date_from=date_from, date_to=date_to,
                             min_seizures=min_seizures, min_lift=min_lift, store=str(store))
        for path in write_tables(out, tables, stamp, workbook="netgraph_risk_indicators.xlsx"):
            click.echo(f"wrote {path}")


@risk_group.command("profiles")
@click.option("--profiles", "profiles_path", type=click.Path(path_type=Path),
              help="A profile YAML file or folder to check and list [default: the shipped loaders/risk/].")
@click.option("--draft", type=click.Path(path_type=Path, dir_okay=False),
              help="Draft profiles from the seizures of --db (or --neo4j) into this YAML file.")
@click.option("--db", type=click.Path(path_type=Path), help="With --draft: the embedded netgraph database.")
@click.option("--neo4j", "neo4j_uri", help="With --draft: a Neo4j 5 server instead.")
@click.option("--neo4j-database", help="The Neo4j database [default: the server's default].")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1), help="Profiles to draft.")
@click.option("--dimension", "dimensions", multiple=True, help="Draft only from these dimensions (repeatable; "
              "e.g. leg, airport, airline, origin_country, transit_country, concealment, commodity).")
@click.option("--min-size", default=1, show_default=True, type=click.IntRange(1, 3),
              help="Dimensions a drafted profile combines at least.")
@click.option("--min-seizures", default=5, show_default=True, type=click.IntRange(1))
@click.option("--owner", default="netgraph draft (edit before use)", show_default=True)
@click.option("--handling", default=3, show_default=True, type=click.IntRange(1, 5))
@click.option("--valid-from", help="First day the drafts are valid (YYYY-MM-DD) [default: today].")
@click.option("--valid-days", default=365, show_default=True, type=click.IntRange(1))
@click.option("--source", "source_words", default="the store's seizures", show_default=True,
              help="How the rationale names the data the drafts come from.")
def risk_profiles(profiles_path, draft, db, neo4j_uri, neo4j_database, top, dimensions, min_size, min_seizures,
                  owner, handling, valid_from, valid_days, source_words) -> None:
    """Check and list risk profiles, or draft them from a store's seizures (--draft FILE --db PATH)."""
    import datetime as dt

    from .risk import indicators as ind
    from .risk.profiles import TARGETABLE_CONDITIONS, draft_profiles, load_profiles, profiles_yaml
    if not draft:
        if db or neo4j_uri:
            raise click.UsageError("--db/--neo4j are for --draft; to check profiles give --profiles PATH")
        for p in load_profiles(profiles_path):
            click.echo(f"{p.name}: score {p.score:g}, valid {p.valid_from} to {p.valid_to}, owner {p.owner}, handling "
                       f"{p.handling}; {p.match} of {', '.join(p.conditions.given())}  [{p.source}]")
        return
    if bool(db) == bool(neo4j_uri):
        raise click.UsageError("--draft needs exactly one of --db PATH or --neo4j URI")
    unknown = sorted(set(dimensions) - set(TARGETABLE_CONDITIONS))
    if unknown:
        raise click.BadParameter(f"{unknown}: choose from {', '.join(TARGETABLE_CONDITIONS)}", param_hint="--dimension")
    try:
        start = dt.date.fromisoformat(valid_from) if valid_from else None
    except ValueError:
        raise click.BadParameter(f"{valid_from!r} is not a date YYYY-MM-DD", param_hint="--valid-from") from None
    with StoreTarget(db, neo4j_uri, neo4j_database).open(read_only=True) as store:
        found = ind.candidates(store, min_seizures=min_seizures, dimensions=tuple(dimensions) or ind.TARGETABLE)
    drafted = draft_profiles(found, top, owner, handling, start, valid_days, source_words, min_size)
    if not drafted:
        raise click.ClickException("no candidate indicator is frequent enough to draft a profile from; lower "
                                   "--min-seizures or --min-size")
    draft.parent.mkdir(parents=True, exist_ok=True)
    draft.write_text(f"# Drafted by netgraph {netgraph_version()} from {source_words}: edit before use.\n"
                     + profiles_yaml(drafted), encoding="utf-8")
    load_profiles(draft)  # what was written reads back
    click.echo(f"wrote {len(drafted)} draft profiles to {draft}")


@risk_group.command("target")
@store_options
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the targeting list.")
@click.option("--profiles", "profiles_path", type=click.Path(path_type=Path),
              help="A profile YAML file or folder [default: the shipped loaders/risk/].")
@click.option("--kind", "kinds", multiple=True, default=("consignment",), show_default=True,
              help="The kind of record to score (a mapping's event; repeatable).")
@click.option("--as-of", help="Use the profiles valid on this day (YYYY-MM-DD) [default: each record's date].")
@click.option("--damping", default=0.85, show_default=True, type=click.FloatRange(0, 1, min_open=True, max_open=True))
def risk_target(db: StoreTarget, out: Path, profiles_path, kinds, as_of, damping: float) -> None:
    """Score the records of KIND (consignments by default) against the profiles and the offender network:
    targets.csv, network_risk.csv, the workbook and targets.html."""
    import datetime as dt

    from .risk.profiles import load_profiles
    from .risk.report import method_stamp, write_targets_html
    from .risk.target import Targeting
    profiles = load_profiles(profiles_path)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise click.BadParameter(f"{as_of!r} is not a date YYYY-MM-DD", param_hint="--as-of") from None
    with db.open(read_only=True) as store:
        scorer = Targeting(profiles, tuple(kinds), day, damping).fit(store)
        if not len(scorer.events_):
            kinds_held = sorted(set(store.node_properties("Seizure")["event"].dropna()))
            raise click.ClickException(f"no record of kind {', '.join(kinds)} in this store (it holds: "
                                       f"{', '.join(kinds_held) or 'nothing'}); load one with a mapping whose "
                                       "event is that kind, e.g. air_manifest")
        table = scorer.score()
        risk = scorer.risk_[["id", "label", "name", "offender", "convicted", "risk", "percentile", "steps", "path"]]
        stamp = method_stamp("risk targeting", (scorer.events_[["id", "records"]], scorer.parties_.ties[
            ["source", "target", "sources"]], [p.model_dump(mode="json") for p in profiles]),
            profiles=[p.name for p in profiles], kinds=list(kinds), as_of=as_of, damping=damping,
            network="personalised PageRank from offenders, reliability-weighted ties", store=str(store))
    for path in write_tables(out, {"targets": table, "network_risk": risk.reset_index(drop=True)}, stamp,
                             workbook="netgraph_targets.xlsx"):
        click.echo(f"wrote {path}")
    click.echo(f"wrote {write_targets_html(table, stamp, out / 'targets.html')}")
    click.echo(f"{int((table['score'] > 0).sum())} of {len(table)} records match a profile")


@risk_group.command("backtest")
@store_options
@click.option("--cutoff", "cutoffs", multiple=True, type=int, default=(2012, 2013, 2014), show_default=True,
              help="Learn from seizures up to this year, test on the later ones (repeatable).")
@click.option("--top", "tops", multiple=True, type=click.IntRange(1), default=(5, 10, 20), show_default=True,
              help="How many items to flag (repeatable).")
@click.option("--out", type=click.Path(path_type=Path), help="Also write the table (CSV, XLSX) to this folder.")
def risk_backtest(db: StoreTarget, cutoffs, tops, out: Path | None) -> None:
    """Temporal back-test: the share of later seizures on the top-N legs, airports and airlines flagged from
    earlier ones, against the most seized countries and chance (prints a Markdown table)."""
    from .risk.evaluation import backtest, markdown
    from .risk.report import method_stamp
    with db.open(read_only=True) as store:
        table = backtest(store, tuple(cutoffs), tuple(tops))
        if out:
            from .risk.indicators import events
            stamp = method_stamp("risk back-test", (events(store)[["id", "records"]],), cutoffs=list(cutoffs),
                                 top=list(tops), store=str(store))
            for path in write_tables(out, {"backtest": table}, stamp, workbook="netgraph_backtest.xlsx"):
                click.echo(f"wrote {path}")
    click.echo(markdown(table))
