import os
from pathlib import Path

import pytest

import netgraph as ng

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ROOT / "loaders" / "samples"
SHARED = ROOT.parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data; CI must have it, elsewhere the test is skipped."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI runs with ../shared beside the project")
        pytest.skip(f"{path} not present (../shared is beside the project in CI)")
    return path


@pytest.fixture
def store(tmp_path):
    with ng.open_store(tmp_path / "test.lbdb") as s:
        yield s


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The bundled samples loaded once (read-only use)."""
    path = tmp_path_factory.mktemp("sample") / "sample.lbdb"
    with ng.open_store(path) as s:
        ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", s, progress=False)
        ng.load_file(SAMPLES / "vn_agency_sample.xlsx", "vn_agency", s, progress=False)
        yield s
