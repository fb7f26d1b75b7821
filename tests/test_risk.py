"""Risk indicators, profiles, targeting, network risk and the back-test (issue 20), on real stores: the C4ADS
air seizures (../shared) and the CEN sample with the generated air manifest loaded as consignments."""
from __future__ import annotations

import itertools
import math
import re

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.risk import evaluation as bt
from netgraph.risk import indicators as ind
from netgraph.risk.manifest import COLUMNS, generate_manifest, read_c4ads
from netgraph.risk.network import network_risk, party_graph, path_to_offender, personalized_pagerank
from netgraph.risk.profiles import ProfileError, draft_profiles, load_profiles, profiles_yaml
from netgraph.risk.report import targets_html
from netgraph.risk.target import Targeting
from netgraph.space_time import routes

from .conftest import ROOT, SAMPLES, shared_file

MANIFEST = SAMPLES / "air_manifest_sample.csv"


@pytest.fixture(scope="module")
def c4ads(tmp_path_factory):
    path = shared_file("seizures", "c4ads_air_seizures.csv")
    with ng.open_store(tmp_path_factory.mktemp("c4ads") / "c4ads.lbdb") as store:
        ng.load_file(path, "c4ads_air", store, progress=False)
        yield store


@pytest.fixture(scope="module")
def manifest_store(tmp_path_factory):
    """The CEN sample (offenders, phones, companies) and the generated manifest (consignments)."""
    with ng.open_store(tmp_path_factory.mktemp("targets") / "targets.lbdb") as store:
        ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
        ng.load_file(MANIFEST, "air_manifest", store, progress=False)
        yield store


@pytest.fixture(scope="module")
def scorer(manifest_store):
    return Targeting(load_profiles()).fit(manifest_store)


# --- indicators ------------------------------------------------------------------------------------------
def test_leg_indicators_count_what_the_route_flows_count(c4ads):
    table = ind.indicator_table(c4ads)
    legs = table[table["dimension"] == "leg"].set_index("value")["seizures"]
    flows = routes.flows(c4ads, "country")
    flows = flows[flows["source"].str.startswith("country:") & flows["target"].str.startswith("country:")]
    flows = flows.assign(value=flows["source"].str.removeprefix("country:") + ">"
                         + flows["target"].str.removeprefix("country:")).set_index("value")["seizures"]
    assert len(legs) > 100 and legs.sort_index().equals(flows.sort_index().rename("seizures"))
    assert legs.idxmax() == "KE>TH"  # Kenya → Thailand carried the most seizures, 2009–2016


def test_shares_lifts_trends_and_records_are_what_they_say(c4ads):
    chosen = ind.events(c4ads)
    found = ind.facts(c4ads, chosen=chosen)
    table = ind.indicator_table(c4ads, found=found, chosen=chosen)
    country = table[table["dimension"] == "seizure_country"]
    assert country["seizures"].sum() == chosen["country"].notna().sum()  # one country per seizure
    assert math.isclose(country["share"].sum(), 1.0)
    for _, part in table.groupby("dimension"):
        assert math.isclose(part["lift"].mean(), 1.0)  # lift: seizures over the dimension's mean per value
    row = table[(table["dimension"] == "destination_country") & (table["value"] == "CN")].iloc[0]
    dest = found[found["dimension"] == "destination_country"]
    years = sorted(dest["year"].unique())
    share = [dest[(dest["year"] == y) & (dest["value"] == "CN")]["event"].nunique()
             / dest[dest["year"] == y]["event"].nunique() for y in years]
    assert math.isclose(row["trend"], 100 * np.polyfit(years, share, 1)[0], rel_tol=1e-9)
    assert len(row["records"]) == row["seizures"] and all(r.startswith("record:C4ADS-ROUTES:") for r in row["records"])


def test_combinations_recur_with_the_lift_of_their_parts(c4ads):
    chosen = ind.events(c4ads)
    found = ind.facts(c4ads, chosen=chosen)
    pairs = ind.combinations(c4ads, 2, min_seizures=5, found=found, chosen=chosen)
    assert len(pairs) and (pairs["seizures"] >= 5).all()
    top = pairs.iloc[0]
    (d1, v1), (d2, v2) = top["conditions"].items()
    a = set(found[(found["dimension"] == d1) & (found["value"] == v1)]["event"])
    b = set(found[(found["dimension"] == d2) & (found["value"] == v2)]["event"])
    n = len(chosen)
    assert top["seizures"] == len(a & b)
    assert math.isclose(top["lift"], (len(a & b) / n) / ((len(a) / n) * (len(b) / n)))
    ranked = ind.candidates(c4ads, min_seizures=5)
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert (ranked["lift"] >= 1.5).all() and ranked["seizures"].is_monotonic_decreasing
    assert {1, 2}.issubset(set(ranked["size"]))


def test_consignments_never_count_as_seizures(manifest_store):
    chosen = ind.events(manifest_store)
    assert len(chosen) and (chosen["event"] == "seizure").all()
    assert not ind.facts(manifest_store)["event"].str.contains("MANIFEST").any()
    parties = party_graph(manifest_store)
    offenders = set(parties.nodes.loc[parties.nodes["offender"], "id"])
    seized = parties.involvement[parties.involvement["kind"] == "seizure"]
    assert offenders == set(seized["party"]) and len(offenders) > 50
    consigning = set(parties.involvement.loc[parties.involvement["kind"] == "consignment", "party"])
    assert consigning - offenders  # the manifest's own companies are not offenders for being in it


# --- profiles --------------------------------------------------------------------------------------------
def test_shipped_profiles_load_and_drafts_read_back(c4ads, tmp_path):
    shipped = load_profiles()
    assert {"near-known-offenders", "routes-KE-TH"} <= {p.name for p in shipped}
    drafted = draft_profiles(ind.candidates(c4ads, dimensions=("leg", "airport")), top=4,
                             valid_from=pd.Timestamp("2026-01-01").date())
    path = tmp_path / "drafts.yaml"
    path.write_text(profiles_yaml(drafted), encoding="utf-8")
    again = load_profiles(path)
    assert [p.model_dump(exclude={"source"}) for p in again] == [p.model_dump(exclude={"source"}) for p in drafted]
    assert drafted[0].conditions.airports or drafted[0].conditions.routes


BAD = [("  score: 40\n  colour: red\n", "line 9, profiles\\[0\\] \\(ivory-ke\\).colour: Extra inputs"),
       ("  score: 40\n  conditions: {routes: [KE>XX]}\n", "line 9, profiles\\[0\\] \\(ivory-ke\\).conditions.routes"
        ".*'XX' is not an ISO 3166"),
       ("  score: 40\n  conditions: {}\n", "at least one"),
       ("  score: -1\n", "line 8, profiles\\[0\\] \\(ivory-ke\\).score: Input should be greater than 0"),
       ("  score: [40\n", "not valid YAML at line 9")]


@pytest.mark.parametrize("tail,message", BAD)
def test_a_bad_profile_names_the_file_the_line_and_the_field(tmp_path, tail, message):
    head = ("profiles:\n- name: ivory-ke\n  rationale: r\n  owner: o\n  handling: 3\n  valid_from: 2026-01-01\n"
            "  valid_to: 2026-12-31\n")
    if "conditions" not in tail:
        tail += "  conditions: {routes: [KE>TH]}\n"
    path = tmp_path / "bad.yaml"
    path.write_text(head + tail, encoding="utf-8")
    with pytest.raises(ProfileError, match="(?s)" + re.escape(str(path)) + ".*" + message) as caught:
        load_profiles(path)
    assert "Traceback" not in str(caught.value)
    result = CliRunner().invoke(main, ["risk", "profiles", "--profiles", str(path)])
    assert result.exit_code == 1 and str(path) in result.output and "Traceback" not in result.output


def test_two_profiles_of_one_name_are_refused(tmp_path):
    text = (ROOT / "loaders" / "risk" / "hand_written.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match="also defined in"):
        load_profiles(tmp_path)


# --- network risk ----------------------------------------------------------------------------------------
def test_personalised_pagerank_agrees_with_networkx_on_a_real_network():
    matrix = pd.read_csv(shared_file("covert", "luciaetal_montagna.csv"), index_col=0, encoding="utf-8-sig")
    weights = matrix.to_numpy(dtype=float)
    weights = weights + weights.T  # the directed call counts, symmetrised (calls either way)
    upper = np.triu_indices(len(weights), 1)
    keep = weights[upper] > 0
    edges = list(zip(upper[0][keep].tolist(), upper[1][keep].tolist()))
    graph = ig.Graph(n=len(weights), edges=edges)
    graph.es["weight"] = weights[upper][keep].tolist()
    reset = np.zeros(len(weights))
    reset[[0, 5, 9]] = [1.0, 1.0, 2.0]  # three "offenders", one convicted
    ours = personalized_pagerank(graph, reset)
    nxg = nx.Graph()
    nxg.add_nodes_from(range(len(weights)))
    nxg.add_weighted_edges_from((a, b, w) for (a, b), w in zip(edges, graph.es["weight"]))
    theirs = nx.pagerank(nxg, alpha=0.85, personalization=dict(enumerate(reset)), weight="weight", tol=1e-12,
                         max_iter=1000)
    assert np.abs(ours - np.array([theirs[i] for i in range(len(weights))])).max() < 1e-9
    assert math.isclose(ours.sum(), 1.0)


def test_network_risk_on_the_sample_agrees_with_networkx_and_explains_itself(manifest_store):
    parties = party_graph(manifest_store)
    risk = network_risk(parties=parties)
    nxg = nx.Graph()
    nxg.add_nodes_from(parties.nodes["id"])
    nxg.add_weighted_edges_from(parties.ties[["source", "target", "weight"]].itertuples(index=False))
    reset = dict(zip(parties.nodes["id"], parties.reset()))
    theirs = pd.Series(nx.pagerank(nxg, personalization=reset, weight="weight", tol=1e-12, max_iter=1000))
    assert np.abs(risk.set_index("id")["risk"] - theirs.reindex(risk["id"]).to_numpy()).max() < 1e-9
    assert (risk.loc[risk["offender"], "steps"] == 0).all()
    graded = parties.ties["weight"] / parties.ties["sources"].map(len)
    assert graded.between(0.2, 1.0).all() and graded.nunique() > 1  # record grades weigh the ties
    phone = risk[(risk["label"] == "Phone") & (risk["steps"] == 1)].iloc[0]
    path = path_to_offender(parties, phone["id"])
    assert len(path) == 1 and path["via"].iloc[0] == ["phone"]
    uses = manifest_store.edge_frame("USES")
    tie = uses[(uses["target"] == phone["id"]) & (uses["source"] == path["target"].iloc[0])]
    assert sorted(tie["sources"].iloc[0]) == path["sources"].iloc[0]  # the records behind the tie


# --- targeting -------------------------------------------------------------------------------------------
def test_the_sample_manifest_is_the_stated_rule(tmp_path):
    c4 = read_c4ads(shared_file("seizures", "c4ads_air_seizures.csv"))
    cen = pd.read_csv(SAMPLES / "cen_customs_sample.csv", dtype=str)
    made = generate_manifest(c4, cen, n=120, seed=2026)
    assert made.equals(generate_manifest(c4, cen, n=120, seed=2026))
    made[COLUMNS].to_csv(tmp_path / "m.csv", index=False)
    assert (tmp_path / "m.csv").read_text(encoding="utf-8") == MANIFEST.read_text(encoding="utf-8")


def test_planted_consignments_score_above_ordinary_traffic(scorer):
    table = scorer.score()
    c4 = read_c4ads(shared_file("seizures", "c4ads_air_seizures.csv"))
    truth = generate_manifest(c4, pd.read_csv(SAMPLES / "cen_customs_sample.csv", dtype=str), n=120, seed=2026)
    rule = table["id"].str.removeprefix("seizure:MANIFEST:").map(truth.set_index("AWB")["rule"])
    assert rule.notna().all() and len(table) == 120
    mean = table.groupby(rule)["score"].mean()
    assert mean["on a seizure route"] > 3 * mean["ordinary"] and mean["tied to an offender"] > 3 * mean["ordinary"]
    planted = (rule != "ordinary").to_numpy()
    pairs = [(a, b) for a, b in itertools.product(table["score"][planted], table["score"][~planted])]
    assert np.mean([a > b for a, b in pairs]) > 0.8  # a planted line outranks an ordinary one
    tied = table[rule == "tied to an offender"]
    assert tied["profiles"].map(lambda p: "near-known-offenders" in p).all()
    assert tied["network"].str.contains("offender").all()
    assert table["score"].is_monotonic_decreasing


def test_explain_gives_profiles_and_the_ties_with_their_records(scorer, manifest_store):
    table = scorer.score()
    row = table[table["network"].str.contains("—")].iloc[0]
    why = scorer.explain(row["id"])
    assert set(why["what"]) == {"profile", "tie"}
    assert set(why.loc[why["what"] == "profile", "profile"]) == set(row["profiles"])
    records = set(manifest_store.records()["id"])
    cited = {r for rs in why.loc[why["what"] == "tie", "sources"] for r in rs}
    assert cited and cited <= records and cited == set(row["network_records"])
    with pytest.raises(KeyError, match="not one of the scored records"):
        scorer.explain("seizure:CEN:CEN-2019-0000")  # a seizure is never scored


def test_profiles_count_only_within_their_validity(manifest_store):
    scored = Targeting(load_profiles(), as_of="2027-06-01").fit(manifest_store).score()
    assert (scored["score"] == 0).all()


def test_target_command_writes_safe_tables_and_an_escaped_page(tmp_path):
    rows = pd.read_csv(MANIFEST, dtype=str).head(3)
    rows.loc[0, "Description of goods"] = "=HYPERLINK(\"http://x\")"
    rows.loc[1, "Consignee"] = "<script>alert(1)</script> Ltd"
    path = tmp_path / "evil.csv"
    rows.to_csv(path, index=False)
    db = tmp_path / "evil.lbdb"
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(path), "-m", "air_manifest", "--db", str(db)]).exit_code == 0
    tiny = ROOT / "tests" / "data" / "tiny_cen.csv"  # a few seizures: offenders and indicators to read
    assert runner.invoke(main, ["load", str(tiny), "-m", "cen_customs", "--db", str(db)]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(main, ["risk", "target", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = (out / "targets.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in written and ",=HYPERLINK" not in written
    page = (out / "targets.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "=HYPERLINK(&quot;http://x&quot;)" in page
    stamp = (out / "method.json").read_text(encoding="utf-8")
    assert "input_sha256" in stamp and "netgraph_version" in stamp and "near-known-offenders" in stamp
    empty = runner.invoke(main, ["risk", "target", "--db", str(db), "--out", str(out), "--kind", "passenger"])
    assert empty.exit_code == 1 and "no record of kind passenger" in empty.output
    result = runner.invoke(main, ["risk", "indicators", "--db", str(db), "--out", str(tmp_path / "ind"),
                                  "--min-seizures", "1"])
    assert result.exit_code == 0, result.output
    combos = pd.read_csv(tmp_path / "ind" / "combinations.csv", encoding="utf-8-sig")
    assert len(combos) and combos["conditions"].str.fullmatch(r"\w+=[^;]+(; \w+=[^;]+)+").all()
    drafts = tmp_path / "drafts.yaml"
    result = runner.invoke(main, ["risk", "profiles", "--draft", str(drafts), "--db", str(db), "--top", "2",
                                  "--min-seizures", "1", "--valid-from", "2026-01-01"])
    assert result.exit_code == 0 and len(load_profiles(drafts)) == 2, result.output
    result = runner.invoke(main, ["risk", "backtest", "--db", str(db), "--cutoff", "2021", "--top", "3"])
    assert result.exit_code == 0 and result.output.startswith("| cut-off |"), result.output


def test_targets_html_escapes_every_value():
    table = pd.DataFrame([{"rank": 1, "id": "x", "name": "<img src=x onerror=alert(1)>", "date": "2026-01-01",
                           "route": "KE → TH", "airline": "&", "goods": "<b>", "weight_kg": 1.0, "score": 5.0,
                           "profiles": ["p"], "handling": 3, "reasons": "<i>", "network": "<u>",
                           "network_records": ["<r>"], "records": []}])
    page = targets_html(table, {"k": "<v>"})
    assert not re.search(r"<(img|b|i|u|r|v)\b", page)


# --- back-test -------------------------------------------------------------------------------------------
def test_random_rate_is_the_exact_expectation():
    known, items, top = np.array([1, 2, 0, 3]), 6, 2
    flags = list(itertools.combinations(range(items), top))
    on = [set(range(m)) for m in known]  # which items each seizure falls on (any m of them: symmetric)
    brute = np.mean([np.mean([bool(set(f) & s) for s in on]) for f in flags])
    assert math.isclose(bt.random_rate(known, items, top), brute)


def test_backtest_beats_the_most_seized_countries_and_the_readme_shows_it(c4ads):
    table = bt.backtest(c4ads)
    assert set(table["cutoff"]) == {2012, 2013, 2014} and set(table["top"]) == {5, 10, 20}
    for kind in ("leg", "airport"):
        rows = table[table["kind"] == kind]
        assert (rows["hit_rate"] > rows["baseline_hit_rate"]).all(), kind
        assert (rows["lift"] > 1.5).all(), kind
    assert (table["test"] > 0).all() and (table["train"] > 0).all()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert bt.markdown(table) in readme  # the README's table is this command's output
