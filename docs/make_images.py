"""The demo's pictures, rendered again: the PNGs in docs/img and the references of tests/test_pictures.py.

    make images                                               # both, after setting up the venv
    .venv/bin/python docs/make_images.py                      # docs/img only
    .venv/bin/python docs/make_images.py --references tests/data/pictures [--out DIR] [--only court_chart ...]

The demo store (both samples, resolved) is built in a temporary folder exactly as benchmarks/pictures.py builds
it; nothing outside the repository is needed. Pictures (see PICTURES): the court chart of Lê Thanh Sơn at release
level 3, the court chart of a small case (Bounmy Vongsa, level 1), the route map at place level, and a
screenshot of the HTML graph at 1600×1000 in headless Chromium (left out, with a message, where Chromium is not
installed). docs/img's route_map_c4ads.png is made too when the C4ADS air seizures are in ../shared/data
(all country legs, as README's route-map section shows them); it has no reference.

The court chart's method stamp ends with the time it was made (``made_at``). docs/img keeps that line as the
chart wrote it. A reference is rendered with the time in the stamp replaced by FIXED_TIME (the figure
case_chart returns, re-saved at the PNG's own resolution), so two renderings of an unchanged chart are the same
pixels; tests/test_pictures.py renders its pictures the same way.

docs/img: 1100 px wide, 256-colour PNGs. References: grey, 800 px wide (REFERENCE_WIDTH), what the test compares.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

import matplotlib
import numpy as np
from matplotlib.text import Text
from PIL import Image

import netgraph as ng
from netgraph.cli import SAMPLE_FILES
from netgraph.resolution import resolve
from netgraph.views.chart import case_chart
from netgraph.views.fonts import chart_fonts
from netgraph.views.route_map import route_map

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "loaders" / "samples"
DOCS = ROOT / "docs" / "img"
REFERENCES = ROOT / "tests" / "data" / "pictures"
C4ADS = ROOT.parent / "shared" / "data" / "seizures" / "c4ads_air_seizures.csv"
DOCS_WIDTH = 1100
REFERENCE_WIDTH = 800
HTML_VIEWPORT = (1600, 1000)
FIXED_TIME = "2000-01-01T00:00:00+00:00"  # as long as an isoformat(timespec="seconds") UTC time: same layout


@contextlib.contextmanager
def demo_store(folder: Path):
    """The demo's store in ``folder``: both samples loaded, then resolved (as benchmarks/pictures.py)."""
    with ng.open_store(Path(folder) / "demo.lbdb") as store:
        for name, mapping in SAMPLE_FILES:
            ng.load_file(SAMPLES / name, mapping, store, progress=False)
        resolve(store)
        yield store


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def restamp(chart, png: Path, made_at: str = FIXED_TIME) -> Path:
    """Save the chart's figure (as case_chart returned it, changed or not since) into ``png`` with the stamp's
    time replaced by ``made_at``, at the resolution of the PNG case_chart wrote. Left as it is when the
    picture shows no time."""
    texts = chart.figure.findobj(Text)
    made = chart.stamp.get("made_at")
    for text in texts:
        if made and made in text.get_text():
            text.set_text(text.get_text().replace(made, made_at))
    if not any(made_at in text.get_text() for text in texts):
        return png
    with Image.open(chart.paths[2]) as written:
        dpi = round(written.width / chart.figure.get_figwidth())  # case_chart's dpi: a whole number
    with matplotlib.rc_context({"font.family": chart_fonts()}):
        chart.figure.savefig(png, dpi=dpi)
    return png


def court_chart(store, suspect: str, level: int, folder: Path) -> tuple[Path, Path]:
    """(the PNG case_chart wrote, a copy with the stamp's time fixed) of ``suspect``'s chart at ``level``."""
    folder = Path(folder)
    chart = case_chart(store, [suspect], folder / "chart.pdf", release_level=level)
    fixed = folder / "chart-fixed-time.png"
    shutil.copyfile(chart.paths[2], fixed)
    return chart.paths[2], restamp(chart, fixed)


def route_map_png(store, folder: Path, **options) -> tuple[Path, Path]:
    png = Path(folder) / "routes.png"
    route_map(store, Path(folder) / "routes.html", png, level="place", **options)
    return png, png


def load_browser():
    """tests/browser.py (the tests' headless Chromium, network off), loaded from its file."""
    spec = importlib.util.spec_from_file_location("netgraph_tests_browser", ROOT / "tests" / "browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def network_html_png(store, folder: Path) -> tuple[Path, Path]:
    """The HTML graph of the whole person network, screenshot at HTML_VIEWPORT (needs Chromium)."""
    page = ng.person_network(store).to_html(Path(folder) / "network.html")
    png = Path(folder) / "network.png"
    png.unlink(missing_ok=True)
    load_browser().screenshot(page, png, size=HTML_VIEWPORT)
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot of {page}")
    return png, png


# name -> (what it shows, render(store, folder) -> (PNG for docs/img, PNG to compare), needs Chromium)
PICTURES: dict[str, tuple[str, Callable[..., tuple[Path, Path]], bool]] = {
    "court_chart": ("court chart, Lê Thanh Sơn, release level 3",
                    lambda store, folder: court_chart(store, "Lê Thanh Sơn", 3, folder), False),
    "court_chart_small": ("court chart, Bounmy Vongsa, release level 1",
                          lambda store, folder: court_chart(store, "Bounmy Vongsa", 1, folder), False),
    "route_map_demo": ("route map, place level", route_map_png, False),
    "network_html": (f"HTML graph in Chromium, {HTML_VIEWPORT[0]}×{HTML_VIEWPORT[1]}", network_html_png, True),
}


def docs_image(png: Path) -> Image.Image:
    """docs/img's form: DOCS_WIDTH px wide, 256 colours."""
    image = Image.open(png).convert("RGB")
    image = image.resize((DOCS_WIDTH, round(image.height * DOCS_WIDTH / image.width)), Image.Resampling.LANCZOS)
    return image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def reference_image(png: Path) -> Image.Image:
    """The form the test compares (and a reference is stored in): grey, REFERENCE_WIDTH px wide."""
    image = Image.open(png).convert("RGB").convert("L")
    return image.resize((REFERENCE_WIDTH, round(image.height * REFERENCE_WIDTH / image.width)),
                        Image.Resampling.LANCZOS)


def save(image: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    return path


def similarity(a: Image.Image | np.ndarray, b: Image.Image | np.ndarray, tile: int = 50) -> float:
    """How alike two grey pictures of the same size are: the mean structural similarity (SSIM, scikit-image,
    7×7 windows) of their least alike ``tile``×``tile`` region, so that one moved node or changed label in a
    large, mostly white picture counts as much as it would in a small one (the mean over the whole picture
    would hardly move). 1.0: the same pixels; 0.0 when the sizes differ."""
    from skimage.metrics import structural_similarity

    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return 0.0
    _, local = structural_similarity(a, b, data_range=255, full=True)
    rows = np.array_split(np.arange(local.shape[0]), max(1, round(local.shape[0] / tile)))
    cols = np.array_split(np.arange(local.shape[1]), max(1, round(local.shape[1] / tile)))
    return float(min(local[r[0]:r[-1] + 1, c[0]:c[-1] + 1].mean() for r in rows for c in cols))


def diff_image(reference: Image.Image, rendered: Image.Image) -> Image.Image:
    """The reference faded, with the pixels that differ by more than 32 grey levels in red."""
    a, b = np.asarray(reference, dtype=np.int16), np.asarray(rendered, dtype=np.int16)
    if a.shape != b.shape:
        b = np.asarray(rendered.resize(reference.size), dtype=np.int16)
    faded = (155 + a * 100 // 255).astype(np.uint8)
    picture = np.stack([faded] * 3, axis=-1)
    picture[np.abs(a - b) > 32] = (220, 0, 0)
    return Image.fromarray(picture)


def c4ads_route_map(folder: Path) -> Path:
    """README's C4ADS map: the air seizures loaded with c4ads_air, every country leg."""
    with ng.open_store(Path(folder) / "c4ads.lbdb") as store:
        ng.load_file(C4ADS, "c4ads_air", store, progress=False)
        png = Path(folder) / "c4ads.png"
        route_map(store, Path(folder) / "c4ads.html", png, level="country")
    return png


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS, help="docs pictures into this folder (default docs/img)")
    parser.add_argument("--no-docs", action="store_true", help="write no docs pictures, only --references")
    parser.add_argument("--references", type=Path, help="the test references into this folder too "
                                                        "(tests/data/pictures)")
    parser.add_argument("--only", nargs="+", choices=sorted(PICTURES), help="these pictures only")
    args = parser.parse_args(argv)
    names = args.only or list(PICTURES)
    with tempfile.TemporaryDirectory() as folder, demo_store(Path(folder)) as store:
        for name in names:
            what, render, needs_chromium = PICTURES[name]
            if needs_chromium and not chromium():
                print(f"{name}: left out ({what}): chromium not installed (apt-get install chromium)")
                continue
            work = Path(folder) / name
            work.mkdir()
            for_docs, to_compare = render(store, work)
            if not args.no_docs:
                print(save(docs_image(for_docs), args.out / f"{name}.png"))
            if args.references:
                print(save(reference_image(to_compare), args.references / f"{name}.png"))
        if not args.no_docs and not args.only:
            if C4ADS.exists():
                print(save(docs_image(c4ads_route_map(Path(folder))), args.out / "route_map_c4ads.png"))
            else:
                print(f"route_map_c4ads: left as it is ({C4ADS} is not here)")


if __name__ == "__main__":
    sys.exit(main())
