"""Entity resolution: quality on a labelled generated set, exact rules, analyst decisions that survive,
splits that restore what the records said, and networks that use the resolved people."""
import importlib.util
import random
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.resolution import linkage as resolution
from netgraph.resolution.evaluate import evaluation_set, pairwise, pairwise_by, traditions_set
from netgraph.resolution.normalize import name_keys

from .conftest import DATA, SAMPLES


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_set_is_resolved_with_high_f1(seed):
    rows, truth = evaluation_set(people=300, seed=seed)
    result = resolution.match(rows)
    scores = pairwise(truth, result.clusters.set_index("id")["resolved_id"])
    # measured F1 0.981–0.988 (precision 0.996–1.000, recall 0.963–0.977) over seeds 1–3 (phones valid, names
    # several people bear told apart by them): the floors leave room for other seeds, not for a regression
    assert scores["f1"] >= 0.97 and scores["precision"] >= 0.98 and scores["recall"] >= 0.95, scores


def test_hard_cases_same_common_name():
    rows, truth = evaluation_set(people=300, seed=1, hard_cases=10)
    result = resolution.match(rows).clusters.set_index("id")["resolved_id"]
    twins = truth[truth >= 300]
    clusters = pd.DataFrame({"person": twins, "cluster": result.reindex(twins.index)})
    for case in range(10):
        apart = clusters[clusters["person"].isin([300 + 2 * case, 301 + 2 * case])].groupby("person")["cluster"]
        # told apart by their birth dates (an exact rule), or by nothing but their phones: a name the data
        # show several people bear is no link without a phone or a birth date in common
        assert apart.first().nunique() == 2, case
        assert (apart.nunique() == 1).all(), case  # and each twin's own mentions are one person


def test_variants_of_one_person_meet():
    people = pd.DataFrame({
        "id": ["a", "b", "c", "d", "e", "f"],
        "name": ["Nguyễn Văn Hùng", "NGUYEN VAN HUNG", "Hùng Nguyễn Văn", "阮文雄", "王偉", "Wang Wei"],
        "nationality": ["VN", "VN", "VN", "VN", "CN", "CN"], "passport": [None] * 6, "birth_date": [None] * 6,
        "phones": [["0912 345 678"], ["+84912345678"], ["84-912-345-678"], ["0912345678"], [], []],
        "sources": [["r1"], ["r2"], ["r3"], ["r4"], ["r5"], ["r6"]]})
    result = resolution.match(resolution.features(people))
    clusters = result.clusters.set_index("id")["resolved_id"]
    assert clusters[["a", "b", "c", "d"]].nunique() == 1 and clusters[["e", "f"]].nunique() == 1
    assert clusters["a"] != clusters["e"]
    hanzi = result.links[(result.links["a"] == "a") & (result.links["b"] == "d")]
    assert "name: hanzi reading" in hanzi["agreed"].iloc[0] and "phone" in hanzi["agreed"].iloc[0]


def test_exact_rules_and_decisions_win():
    people = pd.DataFrame({
        "id": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "name": ["Trần Thị Lan", "TRAN THI LAN", "Lê Văn Tám", "Le Van Tam", "John Smith", "Jon Smyth"],
        "nationality": ["VN", "VN", "VN", "VN", "GB", "GB"],
        "passport": [None, None, None, None, "B1234567", "b-123 4567"],
        "birth_date": ["1980-01-01", "1985-05-05", None, None, None, None],
        "phones": [[], [], ["0903 111 222"], ["+84903111222"], [], []], "sources": [["r"]] * 6})
    rows = resolution.features(people)
    result = resolution.match(rows)
    clusters = result.clusters.set_index("id")["resolved_id"]
    assert clusters["p1"] != clusters["p2"]  # same name, different birth dates: never
    assert clusters["p3"] == clusters["p4"]
    assert clusters["p5"] == clusters["p6"]  # same passport: always
    assert result.links.set_index("a").loc["p5", "decided_by"] == "rule: same passport"
    decisions = pd.DataFrame({"a": ["p3", "p1"], "b": ["p4", "p2"], "decision": ["cannot_link", "must_link"],
                              "note": ["different fathers", "checked"]})
    decided = resolution.match(rows, decisions).clusters.set_index("id")["resolved_id"]
    assert decided["p3"] != decided["p4"]
    assert decided["p1"] != decided["p2"]  # a must-link never overrides a cannot-link (the birth dates differ)


def planted_people():
    spec = importlib.util.spec_from_file_location("sample_generator_er", SAMPLES / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    rng = random.Random(generate.SEED)
    brokers = generate.build_people(rng)
    return len(brokers) + sum(g.size for g in generate.GROUPS)


def test_sample_store_resolves_to_the_planted_people(tmp_path):
    with ng.open_store(tmp_path / "er.lbdb") as store:
        ng.load_file(SAMPLES / "cen_customs_sample.csv", "cen_customs", store, progress=False)
        ng.load_file(SAMPLES / "vn_agency_sample.xlsx", "vn_agency", store, progress=False)
        before = ng.person_network(store)
        result = resolution.resolve(store)
        after = ng.person_network(store)
        assert len(before.nodes) > planted_people() == len(after.nodes) == result.clusters["resolved_id"].nunique()
        assert resolution.resolve(store).clusters.equals(result.clusters)  # same input: same resolution
        assert len(store.edge_frame("SAME_AS")) == len(result.links)
        assert ng.person_network(store, resolved=False).nodes.equals(before.nodes)  # nothing overwritten
        why = resolution.explain(store, "person:bùi thanh sơn")
        assert len(why) == 1 and why["threshold"].iloc[0] == 0.9 and why["score"].iloc[0] > 0.9
        assert {"name: same spelling", "phone"} <= set(why["agreed"].iloc[0])


def test_split_restores_mentions_and_provenance(store, tmp_path):
    ng.load_file(DATA / "tiny_cen.csv", "cen_customs", store, progress=False)
    frame = pd.read_csv(DATA / "tiny_cen.csv", dtype=str, keep_default_na=False)
    frame["Case ID"] = frame["Case ID"] + "-EN"
    frame.loc[0, "Offenders"] = "NGUYEN VAN HUNG; Emeka Okafor"  # the English export's spelling
    frame.to_csv(tmp_path / "english.csv", index=False)
    ng.load_file(tmp_path / "english.csv", "cen_customs", store, progress=False)
    mentions_before = store.node_frame("Mention")
    resolution.resolve(store)
    merged = ng.person_network(store)
    assert "person:nguyen van hung" not in set(merged.nodes["id"])  # one person now
    decisions = tmp_path / "decisions.csv"
    pd.DataFrame({"a": ["person:nguyen van hung"], "b": ["person:nguyễn văn hùng"], "decision": ["cannot_link"],
                  "note": ["different people, per the border guard"]}).to_csv(decisions, index=False)
    resolution.resolve(store, decisions)
    split = ng.person_network(store)
    assert {"person:nguyen van hung", "person:nguyễn văn hùng"} <= set(split.nodes["id"])
    pd.testing.assert_frame_equal(store.node_frame("Mention"), mentions_before)  # what the records said
    ascii_hung = store.provenance("person:nguyen van hung", "seizure:CEN:T-1-EN", "INVOLVED_IN")
    assert ascii_hung["record_id"].tolist() == ["T-1-EN"]
    assert resolution.explain(store, "person:nguyen van hung").empty


def test_resolve_from_the_command_line(tmp_path):
    db = tmp_path / "cli.lbdb"
    runner = CliRunner()
    loaded = runner.invoke(main, ["load", str(SAMPLES / "cen_customs_sample.csv"), "-m", "cen_customs", "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    result = runner.invoke(main, ["load", str(SAMPLES / "vn_agency_sample.xlsx"), "-m", "vn_agency", "--db", str(db),
                                  "--resolve"])
    assert result.exit_code == 0, result.output
    assert f"into {planted_people()} people" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,decision\nx,y,maybe\n")
    result = runner.invoke(main, ["resolve", "--db", str(db), "--decisions", str(bad)])
    assert result.exit_code == 1 and "must_link or cannot_link" in result.output


def test_a_name_list_without_nationality_is_resolved(tmp_path):
    """Issue 18: the 9/11 network's 69 names (Krebs 2002; tests/data/ties.yaml says where the list comes
    from), nothing but names. One person is there under two spellings; brothers sharing a surname are not."""
    db = tmp_path / "ties.lbdb"
    runner = CliRunner()
    loaded = runner.invoke(main, ["load", str(DATA / "krebs_911_ties.csv"), "-m", str(DATA / "ties.yaml"),
                                  "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    result = runner.invoke(main, ["resolve", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "resolved 69 person records into 68 people (1 merged" in result.output
    assert "candidate pairs per blocking key: " in result.output and "name_folded 1" in result.output
    with ng.open_store(db, read_only=True) as store:
        people = store.node_frame("Person").set_index("name")["resolved_id"]
        why = resolution.explain(store, "person:nabil almarabh")
    assert people["Nabil al-Marabh"] == people["Nabil Almarabh"]
    assert why["agreed"].iloc[0] == ["name: same names as each tradition writes them"]
    brothers = [("Wail Alshehri", "Waleed Alshehri"), ("Nawaf Alhazmi", "Salem Alhazmi"),
                ("Jerome Courtaillier", "David Courtaillier"), ("Hamza Alghamdi", "Ahmed Alghamdi")]
    assert all(people[a] != people[b] for a, b in brothers)


def test_blocking_does_not_need_nationality():
    """Every typo-tolerant key finds a typo with or without nationality, and nationality only adds evidence."""
    def rows(nationality):
        return resolution.features(pd.DataFrame({
            "id": ["a", "b"], "name": ["Phommachanh Bounmy Keomany", "Phommachanh Bounmu Keomany"],
            "nationality": [nationality] * 2, "passport": [None] * 2, "birth_date": [None] * 2,
            "phones": [[], []]}))
    with_nat, without = (resolution.blocking_plan(rows(n))[2].set_index("key")["pairs"] for n in ("LA", None))
    assert with_nat.equals(without)
    assert without["name_prefixes"] == without["name_ends"] == 1  # the typo in the middle name keeps them
    scored = {n: resolution.score_pairs(rows(n), threshold=0.0)["score"].iloc[0] for n in ("LA", None)}
    assert scored["LA"] > scored[None] > 0.5


def labelled_set(seed):
    """The generated set above plus the naming traditions of issue 18, with each mention's tradition."""
    rows, truth = evaluation_set(people=300, seed=seed)
    more, more_truth, traditions = traditions_set(per_tradition=40, seed=seed)
    tradition = rows["nationality"].map({"VN": "Vietnamese", "CN": "Chinese (Mandarin)"}).fillna("other")
    return (pd.concat([rows, more], ignore_index=True), pd.concat([truth.astype(str), "t" + more_truth.astype(str)]),
            pd.concat([pd.Series(tradition.to_numpy(), index=truth.index), traditions]))


@pytest.mark.parametrize("seed", [1, 2])
def test_naming_traditions_are_resolved(seed):
    rows, truth, tradition = labelled_set(seed)
    predicted = resolution.match(rows).clusters.set_index("id")["resolved_id"]
    overall = pairwise(truth, predicted)
    table = pairwise_by(truth, predicted, tradition).set_index("group")
    print(f"\nseed {seed}: overall " + ", ".join(f"{k} {v:.3f}" for k, v in overall.items()))
    print(table[["mentions", "people", "precision", "recall", "f1"]].round(3).to_string())
    # measured over seeds 1-3: F1 0.961-0.974, precision 0.984-0.996: issue 18 asks F1 >= 0.95 with precision
    # >= 0.97, asserted as it is; per tradition, precision 0.984-1 and F1 0.901 (Thai) - 1
    assert overall["f1"] >= 0.95 and overall["precision"] >= 0.97, overall
    new = table.drop(["Vietnamese", "Chinese (Mandarin)", "other"])
    assert (new["precision"] >= 0.97).all() and (new["f1"] >= 0.88).all(), new
    assert table.loc[["Vietnamese", "Chinese (Mandarin)"], "f1"].min() >= 0.95


@pytest.mark.parametrize("seed", [1, 2])
def test_namesakes_of_each_tradition_stay_apart(seed):
    """Brothers (Wail and Walid al-X), siblings sharing a generation name (陈伟军, 陈伟明), a Somali father and
    son (Nur Hassan Yusuf, Osman Nur Hassan): each planted pair stays two people."""
    rows, truth, _ = traditions_set(per_tradition=0, seed=seed, hard_cases=4)
    predicted = resolution.match(rows).clusters.set_index("id")["resolved_id"]
    clusters = {person: set(predicted[truth.index[truth == person]]) for person in truth.unique()}
    assert len(clusters) == 48
    assert all(not clusters[2 * k] & clusters[2 * k + 1] for k in range(24))


@pytest.mark.parametrize("a, b, same", [
    ("Nabil al-Marabh", "NABIL ALMARABH", True), ("Abd al-Aziz ibn Saud", "Abdulaziz Bin Saud", True),
    ("Mohammed Atta", "Muhammad Atta", True), ("Ramzi Bin al-Shibh", "Ramzi Binalshibh", True),
    ("Ahmed ash-Shehri", "Ahmad Alshehri", True), ("Maxamed Xasan", "Mohamed Hassan", True),
    ("Alhaji Muhammadu Bello", "Mohamed Bello", True), ("Emeka Okafor", "Chukwuemeka Okafor", True),
    ("ບຸນມີ ພົມມະຈັນ", "Bounmy Phommachanh", True), ("สมชาย ศรีสุข", "Somchai Srisuk", True),
    ("Wail Alshehri", "Waleed Alshehri", False), ("Hasan Ali", "Husayn Ali", False),
    ("Nguyen Van Thanh", "Nguyen Van Tan", False), ("Nguyễn Văn Mai", "Nguyễn Văn Hải", False)])
def test_names_fold_per_tradition(a, b, same):
    assert (name_keys(a)["folded"] == name_keys(b)["folded"]) is same


def test_chinese_readings_across_romanisations():
    readings = {n: set(name_keys(n)["readings"] or []) for n in ["Wong Wai Kwan", "Lim Wei Jun", "Chang Wei-chün"]}
    assert {"huang weijun", "wang weijun"} <= readings["Wong Wai Kwan"]  # Wong is 黄 or 王
    assert "lin weijun" in readings["Lim Wei Jun"] and "zhang weijun" in readings["Chang Wei-chün"]
    assert name_keys("黃偉軍")["literal"] == ["huang weijun"] and name_keys("Huang Weijun")["literal"][0] == "huang weijun"
    assert name_keys("Nguyen Van Hung")["readings"] is None  # not every word is a Chinese syllable


def test_a_common_name_is_split_by_birth_year_and_said_so():
    """Issue 18, scale: a block of one name larger than MAX_BLOCK is compared within birth years only, the
    pairs that drops are counted, and people sharing the name are still found by their phones."""
    people = 60  # 120 mentions of one name: two per person, sharing a phone written two ways
    rows = resolution.features(pd.DataFrame({
        "id": [f"p{i:03d}" for i in range(2 * people)], "name": ["Nguyễn Văn Hùng", "NGUYEN VAN HUNG"] * people,
        "nationality": ["VN"] * (2 * people), "passport": [None] * (2 * people),
        "birth_date": [f"19{60 + i % 30}-01-0{1 + i % 9}" if i % 3 == 0 else None for i in range(people)
                       for _ in range(2)],
        "phones": [[f"+8491{i:07d}", f"091{i:07d}"][k:k + 1] for i in range(people) for k in range(2)],
        "sources": [["r"]] * (2 * people)}))
    blocked, notes, report = resolution.blocking_plan(rows, max_block=100)
    split = report.set_index("key").loc["name_sorted"]
    years = blocked["b_name_sorted"].value_counts()
    assert split["pairs"] == 120 * 119 // 2 and split["compared"] == int((years * (years - 1) // 2).sum())
    assert split["dropped"] == split["pairs"] - split["compared"] > 0
    assert any(note.startswith("blocking on name_sorted: 1 blocks of more than 100") for note in notes)
    clusters = resolution.match(rows).clusters.set_index("id")["resolved_id"]
    assert clusters.nunique() == people  # each person's two mentions, and no namesakes, merged
    assert all(clusters[f"p{2 * i:03d}"] == clusters[f"p{2 * i + 1:03d}"] for i in range(people))


def test_one_letter_between_syllable_names_needs_more_evidence():
    """Mạnh and Minh are two Vietnamese names, not a typo: one letter apart they link only with a phone."""
    def rows(phones):
        return resolution.features(pd.DataFrame({
            "id": ["a", "b"], "name": ["Lê Mạnh Sơn", "Lê Minh Sơn"], "nationality": ["VN", "VN"],
            "passport": [None, None], "birth_date": [None, None], "phones": phones}))
    assert resolution.match(rows([[], []])).merged == 0
    assert resolution.match(rows([["0912 345 678"], ["+84912345678"]])).merged == 1
