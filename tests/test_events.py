"""Records that are not seizures (issue 15, part 2): a mapping declares what a record reports (a meeting, a
call, …); those events load as their kind, reports count them in the right words, and ``via`` selects
people's ties by event kind."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import netgraph as ng
from netgraph.analysis.ties import link_kinds
from netgraph.ingest.mapping import MappingInvalidError, load_mapping

DATA = Path(__file__).parent / "data"
README = Path(__file__).parents[1] / "README.md"
MEETINGS = next(block for block in re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
                if "name: meeting_log" in block)  # the README's example mapping, as it is written there


@pytest.fixture
def meetings(tmp_path) -> Path:
    path = tmp_path / "meeting_log.yaml"
    path.write_text(MEETINGS, encoding="utf-8")
    return path


def test_meetings_load_as_meetings_and_are_counted_as_meetings(store, meetings):
    report = ng.load_file(DATA / "meetings.csv", meetings, store, progress=False)
    assert (report.read, report.loaded) == (4, 4)
    events = store.node_properties("Seizure")
    assert set(events["event"]) == {"meeting"}
    assert sorted(events["name"].str.split(" ").str[0]) == ["Meeting"] * 4
    net = ng.person_network(store)
    assert net.description["via"] == list(link_kinds(store))
    assert "meeting" in net.description["via"]
    pairs = {frozenset(p) for p in net.edges[["source", "target"]].itertuples(index=False)}
    assert frozenset({"person:wang wei", "person:zhao bo"}) in pairs  # met at M-3 only
    report = net.broker_report()
    wang = report.set_index("id").loc["person:wang wei"]
    assert wang["events"] == "3 meetings" and wang["seizures"] == 0
    assert "3 meetings 2019–2020" in wang["reasons"] and "seizure" not in wang["reasons"]


def test_via_chooses_events_by_kind_in_a_store_that_holds_seizures_too(store, meetings):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    ng.load_file(DATA / "meetings.csv", meetings, store, progress=False)
    assert link_kinds(store) == ("seizure", "phone", "account", "organization", "conveyance", "meeting")
    met = ng.person_network(store, via=("meeting",))
    seized = ng.person_network(store, via=("seizure",))
    both = ng.person_network(store)
    assert set(met.link_kinds()) == {"meeting"} and set(seized.link_kinds()) == {"seizure"}
    met_pairs = {frozenset(p) for p in met.edges[["source", "target"]].itertuples(index=False)}
    seized_pairs = {frozenset(p) for p in seized.edges[["source", "target"]].itertuples(index=False)}
    all_pairs = {frozenset(p) for p in both.edges[["source", "target"]].itertuples(index=False)}
    assert met_pairs and seized_pairs and met_pairs | seized_pairs <= all_pairs
    assert frozenset({"person:zhao bo", "person:liu tao"}) in met_pairs - seized_pairs
    kinds = both.seizures.set_index("id")["event"]
    assert set(kinds) == {"seizure", "meeting"}
    with pytest.raises(ValueError, match="unknown link kinds \\['summit'\\]; choose from .*meeting"):
        ng.person_network(store, via=("summit",))


def test_a_mapping_cannot_call_an_event_by_a_kind_of_link(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(MEETINGS.replace("event: meeting", "event: phone"), encoding="utf-8")
    with pytest.raises(MappingInvalidError, match="event"):
        load_mapping(path)
    assert load_mapping("cen_customs").event == "seizure"
