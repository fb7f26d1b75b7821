"""What each picture of the demo costs: CPU and wall seconds per picture (issue 30's target: a demo chart
≤ 3 s CPU), with the parts of a court chart apart (release view and networks, chart model, drawing and files).

    python benchmarks/pictures.py            # 3 runs each, the median printed

The demo store (both samples, resolved) is built in a temporary folder first. Pictures: the court chart of the
densest suspect (Lê Thanh Sơn, release level 3) and of a small case (Bounmy Vongsa, level 1), the interactive
HTML graph of the whole network, and the route map (place level) with its PNG.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import netgraph as ng
from netgraph.cli import SAMPLE_FILES
from netgraph.resolution import resolve
from netgraph.views.chart import CaseScopes, case_chart, case_model
from netgraph.views.route_map import route_map

SAMPLES = Path(__file__).resolve().parents[1] / "loaders" / "samples"


def timed(work) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of ``work()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def pictures(store, out: Path) -> dict:
    """The pictures and the parts of a chart, each a function of no argument."""
    scopes = {}
    return {
        "chart Lê Thanh Sơn (level 3)": lambda: case_chart(store, ["Lê Thanh Sơn"], out / "son.pdf", release_level=3),
        "  release view + networks": lambda: scopes.update(son=CaseScopes(store, 3)),
        "  case scope + chart model": lambda: case_model(scopes["son"].around(["Lê Thanh Sơn"])),
        "chart Bounmy Vongsa (level 1)": lambda: case_chart(store, ["Bounmy Vongsa"], out / "bv.pdf", release_level=1),
        "HTML graph": lambda: ng.person_network(store).to_html(out / "network.html"),
        "route map (place, PNG)": lambda: route_map(store, out / "routes.html", out / "routes.png", level="place"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        with ng.open_store(out / "demo.lbdb") as store:
            for name, mapping in SAMPLE_FILES:
                ng.load_file(SAMPLES / name, mapping, store, progress=False)
            resolve(store)
            print(f"{'picture':<34}{'CPU s':>8}{'wall s':>8}   (median of {runs})")
            for name, work in pictures(store, out).items():
                cpu, wall = zip(*(timed(work) for _ in range(runs)))
                print(f"{name:<34}{statistics.median(cpu):>8.2f}{statistics.median(wall):>8.2f}")
            chart_cpu = statistics.median(timed(pictures(store, out)["chart Lê Thanh Sơn (level 3)"])[0]
                                          for _ in range(runs))
            print(f"\nthe densest demo chart: {chart_cpu:.2f} s CPU against a 3 s target "
                  f"({'met' if chart_cpu <= 3 else 'not met'})")


if __name__ == "__main__":
    main()
