"""The ``netgraph`` command line."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from . import schema
from .load import MissingColumnsError, load_file
from .mapping import MappingError, available_mappings
from .resources import loaders_dir, netgraph_version
from .store import open_store
from .tables import SourceError

SAMPLE_FILES = [("cen_customs_sample.csv", "cen_customs"), ("vn_agency_sample.xlsx", "vn_agency")]
DB_OPTION = click.option("--db", "db", required=True, type=click.Path(path_type=Path),
                         help="The embedded netgraph database file (created if missing).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(netgraph_version(), prog_name="netgraph")
def main() -> None:
    """netgraph: wildlife-seizure records → the network of the organisations behind them."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "-m", required=True, help=f"A shipped mapping ({', '.join(available_mappings())}) "
              "or a mapping YAML file.")
@DB_OPTION
@click.option("--rejects", type=click.Path(path_type=Path), help="Folder for rejects files [default: beside --db].")
def load(files: tuple[Path, ...], mapping: str, db: Path, rejects: Path | None) -> None:
    """Load seizure records from FILES (CSV, XLSX, JSON) into the store."""
    try:
        with open_store(db) as store:
            for path in files:
                report = load_file(path, mapping, store, rejects_dir=rejects)
                click.echo(report.summary())
    except (MissingColumnsError, MappingError, SourceError) as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@DB_OPTION
def info(db: Path) -> None:
    """Counts by label and type, date range, sources and rejects of a store."""
    if not db.exists():
        raise click.ClickException(f"no netgraph database at {db}")
    with open_store(db, read_only=True) as store:
        click.echo(describe_store(store))


def describe_store(store) -> str:
    """A plain-text summary of what a store holds (used by ``netgraph info``)."""
    counts = store.counts()
    lines = [f"netgraph store {store!r}", "", "nodes:"]
    lines += [f"  {label:<14}{counts[label]:>8}" for label in schema.NODE_TYPES if label in counts]
    lines += ["relationships:"]
    lines += [f"  {rel:<14}{counts[rel]:>8}" for rel in schema.REL_TYPES if rel in counts]
    seizures = store.query("MATCH (s:Seizure) RETURN min(s.date) AS first, max(s.date) AS last")
    if counts.get("Seizure"):
        first, last = (pd.Timestamp(seizures.iloc[0][c]).date() for c in ("first", "last"))
        lines += ["", f"seizure dates: {first} to {last}"]
    records = store.records()
    if len(records):
        lines += ["records by source and agency:"]
        by_source = records.groupby(["source", "agency"], dropna=False).size().sort_index()
        lines += [f"  {src} / {agency}: {n}" for (src, agency), n in by_source.items()]
    loads = store.node_frame("Load")
    if len(loads):
        lines += ["", "loads (read = loaded + rejected):"]
        for row in loads.itertuples():
            lines.append(f"  {row.file} with {row.mapping}: {row.read} = {row.loaded} + {row.rejected}"
                         + (f"   rejects: {row.rejects_file}" if row.rejects_file else ""))
    return "\n".join(lines)


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
        click.echo(describe_store(store))


@main.command("schema")
def show_schema() -> None:
    """Print the POLE+ data model."""
    click.echo(schema.describe())
