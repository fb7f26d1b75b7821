"""Entity resolution of people across agencies, borders, scripts and spellings (Splink on DuckDB).

Each Person node (one per spelling as loaded) becomes a row of comparable features: name keys (folded,
token-sorted, pinyin / Sino-Vietnamese for hanzi), E.164 phones (region from the person's nationality),
passport, birth date, nationality. Splink's Fellegi–Sunter model scores candidate pairs found by blocking
rules (same sorted name, a hanzi reading equal to a spelling, a shared phone, a shared passport, typo-tolerant
name keys); its m and u probabilities are stated priors, or estimated (u from random pairs, m by EM) with
``train=True``. Exact rules always win: the same passport always links; different birth dates
never do; so do an analyst's decisions (a CSV of must-link / cannot-link pairs that survives reloads).

Links above the threshold are clustered (strongest first, never joining two people a cannot-link
separates). The result is stored beside the data, never over it: ``Person.resolved_id`` names each
cluster's canonical member, and a ``SAME_AS`` relationship per accepted link records the score, the
threshold, the fields that agreed and who decided. Splitting a merge (a cannot-link decision, then
``resolve`` again) restores the separate people with their own mentions and provenance, which were never
touched. Networks, reports and charts use the resolved people.

>>> result = resolve(store, decisions="decisions.csv")        # doctest: +SKIP
>>> explain(store, "person:nguyen van hung")                  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..resources import NetgraphError
from ..store.base import GraphStore
from .normalize import VN_SYLLABLE, document_key, name_keys, phone_e164

THRESHOLD = 0.9
DECISION_COLUMNS = ["a", "b", "decision", "note"]
FEATURES = ["unique_id", "name", "mentions", "name_ascii", "name_sorted", "name_alt", "name_folded", "name_words",
            "name_literal", "name_readings", "name_syllabic", "name_chinese", "name_prefixes", "name_shape", "name_rest", "name_ends",
            "name_tail",
            "phones", "phone_key", "passport", "birth_date", "nationality"]


@dataclass
class Resolution:
    """Clusters (person id → resolved id) and the accepted links with their explanations."""
    clusters: pd.DataFrame  # id, resolved_id
    links: pd.DataFrame  # a, b, score, match_weight, agreed, decided_by, threshold
    threshold: float
    notes: list[str]  # what the run had to leave out
    blocking: pd.DataFrame | None = None  # per blocking key: candidate pairs sharing it, compared, dropped
    seconds: dict | None = None  # wall seconds per step (blocking, scoring, clustering): where the time goes

    @property
    def merged(self) -> int:
        """How many person records were merged into another."""
        return int((self.clusters["id"] != self.clusters["resolved_id"]).sum())


# --- features ---------------------------------------------------------------------------------------
def features(people: pd.DataFrame) -> pd.DataFrame:
    """Feature rows from people (columns id, name, nationality, passport, birth_date, phones: list of text).
    Each distinct name is read once, each distinct phone once per region (namesakes are many in large data)."""
    if people.empty:
        return pd.DataFrame(columns=FEATURES)
    names = people["name"].astype(str)
    distinct = names.unique()
    read = [_name_features(name) for name in distinct]
    named = pd.DataFrame([columns for _, columns in read], index=distinct).reindex(names)
    hanviet = pd.Series([keys["hanviet"] for keys, _ in read], index=distinct, dtype=object).reindex(names)
    pinyin = pd.Series([keys["pinyin"] for keys, _ in read], index=distinct, dtype=object).reindex(names)
    region = np.array([v if isinstance(v, str) else None for v in people["nationality"]], dtype=object)
    # the Sino-Vietnamese reading for a Vietnamese, else pinyin: 阮文雄 is Nguyễn Văn Hùng to Vietnamese customs
    alt = np.where(hanviet.notna().to_numpy() & (region == "VN"), hanviet.to_numpy(),
                   pinyin.fillna(hanviet).to_numpy())
    phone_cache: dict = {}

    def e164(texts, where) -> list[str] | None:
        found = set()
        for text in texts if isinstance(texts, (list, tuple, np.ndarray)) else []:
            if (text, where) not in phone_cache:
                phone_cache[text, where] = phone_e164(text, where)
            if phone_cache[text, where]:
                found.add(phone_cache[text, where])
        return sorted(found) or None
    phones = [e164(texts, where) for texts, where in zip(people["phones"], region)]
    passport = people["passport"].map(lambda v: document_key(v) if isinstance(v, str) and v else None)
    born = people["birth_date"].map(lambda v: str(v)[:10] if pd.notna(v) else None)
    mentions = people["sources"].map(lambda v: len(v) if isinstance(v, (list, tuple, np.ndarray)) else 0) \
        if "sources" in people else 0
    frame = named.reset_index(drop=True).assign(
        unique_id=people["id"].to_numpy(), name=people["name"].to_numpy(), mentions=np.asarray(mentions),
        name_alt=[" ".join(sorted(a.split())) if isinstance(a, str) and a else None for a in alt],
        phone_key=[p[0] if p else None for p in phones], phones=phones, passport=passport.to_numpy(),
        birth_date=born.to_numpy(), nationality=region)
    return frame[FEATURES]


def _name_features(name: str) -> tuple[dict, dict]:
    """(name_keys of a name, its feature columns but name_alt, which depends on the nationality)."""
    keys = name_keys(name)
    words = keys["words"]
    # names of single syllables (Vietnamese, pinyin) get no keys made for other traditions: Nguyễn Văn Mai
    # and Nguyễn Văn Hải, Hồ Văn Khánh and Đỗ Văn Khánh are two names, not a typo
    syllables = bool(keys["literal"]) or all(VN_SYLLABLE.fullmatch(t) for t in keys["sorted"].split())
    return keys, {"name_ascii": keys["ascii"], "name_sorted": keys["sorted"],
                  "name_folded": keys["folded"], "name_words": words,
                  "name_literal": keys["literal"], "name_readings": keys["readings"], "name_syllabic": syllables,
                  # blocking only: a romanised Chinese name meets what it may stand for, and a name in pinyin
                  # or hanzi what it is (two pinyin names are not compared on their Cantonese readings)
                  "name_chinese": sorted(set(keys["literal"] or keys["readings"] or [])) or None,
                  # the first two letters of each name, sorted, and the length: a letter swapped further in
                  # still meets its original
                  "name_prefixes": " ".join(sorted(t[:2] for t in keys["sorted"].split()))
                  + f" {len(keys['sorted'])}",
                  # initials, length and one whole name: a letter swapped in any other name keeps them
                  "name_shape": "".join(t[0] for t in keys["sorted"].split()) + str(len(keys["sorted"]))
                  + keys["sorted"].split(" ")[0],
                  # each name without its first letter, sorted: a typo in a first letter keeps it
                  "name_rest": None if syllables else " ".join(sorted(t[1:] for t in keys["sorted"].split())),
                  # first and last name as written: a typo in a name between them keeps them
                  "name_ends": " ".join(keys["ascii"].split()[:: max(len(keys["ascii"].split()) - 1, 1)]),
                  # the last two folded names: a first (Christian, or given) name left out keeps them
                  "name_tail": " ".join(words[-2:]) if len(words) >= 3 and not syllables else None}


def store_people(store: GraphStore) -> pd.DataFrame:
    """The Person nodes with the phones each uses (as written)."""
    persons = store.node_frame("Person")
    uses = store.edge_frame("USES")
    phone_names = store.node_frame("Phone").set_index("id")["name"]
    phones = uses[uses["target_label"] == "Phone"].assign(text=lambda f: f["target"].map(phone_names))
    by_person = phones.groupby("source")["text"].agg(list)
    return persons.assign(phones=persons["id"].map(by_person).apply(lambda v: v if isinstance(v, list) else []))


# --- matching ---------------------------------------------------------------------------------------
# No key needs nationality: a source without that column is resolved like one with it (nationality, where
# given, is evidence in the comparisons, never a condition for being compared).
BLOCKING_KEYS = [("name_sorted",), ("phone_key",), ("passport",), ("name_folded",), ("name_chinese",),
                 ("name_prefixes",), ("name_shape",), ("name_rest",), ("name_ends",), ("name_tail",)]
ARRAY_KEYS = {"name_chinese"}  # list columns: compared element by element
# the comparison levels an explanation names (SAME_AS.agreed), by their labels in _settings
AGREED = {"a name several people bear": "name: a name several people bear",
          "same spelling (folded)": "name: same spelling", "same names, any order": "name: same names, any order",
          "hanzi reading matches": "name: hanzi reading",
          "same names as each tradition writes them": "name: same names as each tradition writes them",
          "a Chinese reading in common": "name: a Chinese reading", "long names one letter apart":
          "name: one letter apart", "one name more or fewer": "name: one name more or fewer",
          "names two letters apart": "name: two letters apart", "a phone in common": "phone",
          "same passport": "passport", "same birth_date": "birth date", "same nationality": "nationality"}
# a block of more mentions (one common name in large data) is split by birth year, and said so: the name is then
# one several people bear, which links only with a phone (found by its own key) or a birth date in common
MAX_BLOCK = 50


def _pairs(counts) -> int:
    counts = np.asarray(counts, dtype=np.int64)
    return int((counts * (counts - 1) // 2).sum())


def blocking_plan(rows: pd.DataFrame, max_block: int = MAX_BLOCK) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """Rows with a blocking column per key (``b_`` + key: the key, or for a block of more than ``max_block``
    mentions, the key and the birth year, so that every Nguyễn Văn Hùng is not compared with every other: a
    mention of such a name without a birth date is compared through its other keys, a phone above all, and not
    through this one), notes saying how many pairs the split left out (never silently), and the report: per
    key, the candidate pairs that share it (for a list key, once per shared element), the pairs compared
    after splitting and the pairs dropped. A pair is often found by several keys, so a dropped pair may still
    be compared through another.

    >>> rows = features(pd.DataFrame({"id": ["a", "b"], "name": ["Nabil al-Marabh", "Nabil Almarabh"],
    ...     "nationality": [None, None], "passport": [None, None], "birth_date": [None, None],
    ...     "phones": [[], []]}))
    >>> report = blocking_plan(rows)[2].set_index("key")["pairs"]
    >>> int(report["name_folded"]), int(report["name_sorted"])
    (1, 0)
    """
    year = rows["birth_date"].str[:4]
    out, notes, report = rows.copy(), [], []

    def split(values: pd.Series, big: set) -> pd.Series:
        """values; those in ``big`` with the birth year appended (None without one)."""
        inside = values.isin(big)
        return values.where(~inside, (values.astype(str) + "|" + year.astype(str)).where(year.notna()))

    def record(key: str, total: int, kept: int, blocks: int) -> None:
        report.append({"key": key, "pairs": total, "compared": kept, "dropped": total - kept, "used": kept > 0})
        if total > kept:
            notes.append(f"blocking on {key}: {blocks:,} blocks of more than {max_block:,} mentions split by birth "
                         f"year; {total - kept:,} of {total:,} candidate pairs dropped (compared only if another "
                         "key finds them)")

    for (key,) in BLOCKING_KEYS:
        if key in ARRAY_KEYS:
            present = rows[key].dropna().explode().dropna()
            sizes = present.value_counts()
            big = set(sizes.index[sizes > max_block])
            years = year.reindex(present.index)
            kept = present.where(~present.isin(big), (present.astype(str) + "|" + years.astype(str)).where(
                years.notna())).dropna()
            lists: dict = {}
            for row, value in zip(kept.index, kept.to_numpy(dtype=object)):  # (a groupby of lists is slow)
                lists.setdefault(row, set()).add(value)
            out["b_" + key] = pd.Series({row: sorted(v) for row, v in lists.items()}, dtype=object
                                        ).reindex(rows.index)
            record(key, _pairs(sizes), _pairs(kept.value_counts()), len(big))
            continue
        sizes = rows[key].value_counts()
        big = set(sizes.index[sizes > max_block])
        out["b_" + key] = split(rows[key], big) if big else rows[key]
        record(key, _pairs(sizes), _pairs(out["b_" + key].value_counts()), len(big))
    # hanzi read as a Latin spelling: name_alt of one mention against name_sorted of another
    alt, spelled = rows["name_alt"].value_counts(), rows["name_sorted"].value_counts()
    cross = alt.mul(spelled.reindex(alt.index).fillna(0))
    big = set(cross.index[cross > max_block * (max_block - 1) // 2])
    out["b_name_alt"], out["b_name_alt_sorted"] = split(rows["name_alt"], big), split(rows["name_sorted"], big)
    kept_alt, kept_spelled = out["b_name_alt"].value_counts(), out["b_name_alt_sorted"].value_counts()
    record("name_alt = name_sorted", int(cross.sum()),
           int(kept_alt.mul(kept_spelled.reindex(kept_alt.index).fillna(0)).sum()), len(big))
    return out, notes, pd.DataFrame(report)


def blocking_rules() -> list:
    """Splink's blocking rules, on the columns ``blocking_plan`` makes."""
    from splink import block_on

    return [*(block_on(f"b_{key}", arrays_to_explode=[f"b_{key}"] if key in ARRAY_KEYS else None)
              for (key,) in BLOCKING_KEYS),
            "l.b_name_alt = r.b_name_alt_sorted",  # two rules, not one with OR: an OR cannot use a hash join
            "l.b_name_alt_sorted = r.b_name_alt"]


# list functions of the custom levels, as each backend's SQL names them (the rest of the SQL is common)
LIST_SQL = {"duckdb": {"any": "list_has_any({a}, {b})", "all": "list_has_all({a}, {b})", "len": "len({a})"},
            "spark": {"any": "arrays_overlap({a}, {b})", "all": "size(array_except({b}, {a})) = 0",
                      "len": "size({a})"}}


def _settings(dialect: str = "duckdb"):
    """Comparisons with stated priors (m: how often true matches agree; u: how often chance pairs do).
    u is re-estimated from random pairs, and m by EM when the data allow; the priors stand otherwise.
    ``dialect``: the backend's (duckdb, spark), for the list functions of the custom levels."""
    sql = {kind: (lambda a, b="", f=form: f.format(a=a, b=b)) for kind, form in LIST_SQL[dialect].items()}
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    def level(creator, label, m, u):
        return creator.configure(label_for_charts=label, m_probability=m, u_probability=u)

    def exact(column, m=0.95, u=0.01):
        return cl.CustomComparison(output_column_name=column, comparison_levels=[
            cll.NullLevel(column), level(cll.ExactMatchLevel(column), f"same {column}", m, u),
            level(cll.ElseLevel(), "different", 1 - m, 1 - u)])

    one_letter = ("(damerau_levenshtein(name_ascii_l, name_ascii_r) <= 1 OR "
                  "damerau_levenshtein(name_sorted_l, name_sorted_r) <= 1 OR "
                  "damerau_levenshtein(name_folded_l, name_folded_r) <= 1)")
    # u of a full name is how often two different people share it; 5e-5 is one in 20,000 pairs, so a name
    # agreeing in full is a link without a nationality to confirm it (a namesake is told apart by a birth
    # date, a phone or a nationality that differ)
    name = cl.CustomComparison(output_column_name="name", comparison_levels=[
        cll.NullLevel("name_sorted"),
        # a name the data show several people bear (its mentions carry different phones or birth dates:
        # namesakes, Nguyễn Văn Lan with two phones) is no link on its own, nor are its spellings, readings
        # and typos: a phone or a birth date in common must say which of them it is
        level(cll.CustomLevel("(name_bearers_l > 1 OR name_bearers_r > 1) AND (name_sorted_l = name_sorted_r OR "
                              "name_folded_l = name_folded_r OR name_alt_l = name_sorted_r OR "
                              f"name_sorted_l = name_alt_r OR name_alt_l = name_alt_r OR {one_letter})"),
              "a name several people bear", 0.1, 1.5e-3),
        level(cll.ExactMatchLevel("name_ascii"), "same spelling (folded)", 0.5, 5e-5),
        level(cll.ExactMatchLevel("name_sorted"), "same names, any order", 0.12, 1e-5),
        level(cll.CustomLevel("(name_alt_l = name_sorted_r OR name_sorted_l = name_alt_r OR "
                              "name_alt_l = name_alt_r)"), "hanzi reading matches", 0.08, 1e-5),
        # al-Marabh and Almarabh, Mohamed and Muhammad, Phommachanh and ພົມມະຈັນ
        level(cll.ExactMatchLevel("name_folded"), "same names as each tradition writes them", 0.08, 1.2e-5),
        # Wong Wai Kwan may be 黄伟军 (Huang Weijun) or 王伟军 (Wang Weijun): a reading is weaker evidence;
        # and a name in pinyin (Huang Min, Zhang Gang) is that name, not what Cantonese would make of it
        level(cll.CustomLevel(f"({sql['any']('name_readings_l', 'name_literal_r')} OR "
                              f"{sql['any']('name_readings_r', 'name_literal_l')}) AND "
                              "(name_literal_l IS NULL OR name_literal_r IS NULL)"),
              "a Chinese reading in common", 0.04, 8e-6),
        # in names of single syllables (Vietnamese, Chinese) one letter makes another name as often as a typo
        # (Mạnh and Minh, Thu and Thúy, Hải and Hại): weak evidence, a phone or a birth date must agree too
        level(cll.CustomLevel(f"name_syllabic_l AND name_syllabic_r AND {one_letter}"),
              "syllables one letter apart", 0.06, 1e-3),
        # one letter off (a typo) counts only in a long name: in short ones (Li Jie, Liu Jie) it is another
        # person, and so are two pinyin names (Zhang Jing, Zhang Ping); and edit distance, not Jaro-Winkler,
        # which finds Đặng Quang Hương like Hoàng Quang Dũng
        level(cll.CustomLevel(f"{one_letter} AND length(name_ascii_l) >= 10 AND length(name_ascii_r) >= 10 AND "
                              "(name_literal_l IS NULL OR name_literal_r IS NULL)"),
              "long names one letter apart", 0.08, 1.5e-5),
        # a middle name, or a first (Christian) name, left out: Emeka Chinedu Okafor and Emeka Okafor
        level(cll.CustomLevel(f"({sql['len']('name_words_l')} >= 2 AND {sql['len']('name_words_r')} >= 2 AND "
                              f"{sql['len']('name_words_l')} != {sql['len']('name_words_r')} AND "
                              f"({sql['all']('name_words_l', 'name_words_r')} OR "
                              f"{sql['all']('name_words_r', 'name_words_l')}))"),
              "one name more or fewer", 0.03, 5e-5),
        level(cll.Or(cll.DamerauLevenshteinLevel("name_ascii", 2), cll.DamerauLevenshteinLevel("name_sorted", 2)),
              "names two letters apart", 0.04, 1e-3),
        level(cll.ElseLevel(), "different names", 0.03, 0.9988)])
    phones = cl.CustomComparison(output_column_name="phones", comparison_levels=[
        cll.NullLevel("phone_key"), level(cll.ArrayIntersectLevel("phones", 1), "a phone in common", 0.6, 1e-4),
        level(cll.ElseLevel(), "no phone in common", 0.4, 0.9999)])
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=0.002,
        comparisons=[name, phones, exact("passport", 0.98, 1e-6), exact("birth_date", 0.95, 1e-3),
                     exact("nationality", 0.95, 0.2)],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=True,  # each comparison's weight: the levels that agreed
        retain_matching_columns=False,  # not the compared columns themselves: memory at scale
    )


def score_pairs(rows: pd.DataFrame, threshold: float = 0.5, notes: list | None = None,
                train: bool = False, blocking_report: list | None = None, seconds: dict | None = None,
                api=None) -> pd.DataFrame:
    """Splink predictions for candidate pairs: a, b, score (match probability), match_weight, agreed.
    What the blocking plan left out is appended to ``notes``, and its report (candidate pairs per key) to
    ``blocking_report``. ``train`` estimates u from random pairs and
    m by EM instead of using the stated priors: worth it on large real data with variety, not on small
    data (random pairs then hold too many true matches) nor on data full of namesakes. ``api``: Splink's
    backend (default DuckDB; :func:`netgraph.resolution.spark.spark_api` for Spark)."""
    from splink import Linker, block_on
    from splink.backends.duckdb import DuckDBAPI

    if len(rows) < 2:
        return pd.DataFrame(columns=["a", "b", "score", "match_weight", "agreed"])
    api = DuckDBAPI() if api is None else api
    start = time.perf_counter()
    rows, left_out, report = blocking_plan(rows.assign(name_bearers=name_bearers(rows)))
    if seconds is not None:
        seconds["blocking"] = time.perf_counter() - start
    if notes is not None:
        notes.extend(left_out)
    if blocking_report is not None:
        blocking_report.append(report)
    # Splink's training notes would drown the user's output: errors only
    linker = Linker(api.register(rows, dataset_display_name="people"), _settings(api.sql_dialect.sql_dialect_str),
                    log_level=logging.ERROR)
    if train:
        linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, len(rows) ** 2), seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("phone_key"), estimate_without_term_frequencies=True)
    start = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    if seconds is not None:
        seconds["scoring (Splink)"] = time.perf_counter() - start
    if predictions.empty:
        return pd.DataFrame(columns=["a", "b", "score", "match_weight", "agreed"])
    # which level of each comparison a pair reached, told by its match weight (each level has its own): the
    # compared columns and levels are not kept, to save memory on large data
    parts = []
    for comparison in linker.misc.save_model_to_json()["comparisons"]:
        weights = {round(float(np.log2(level["m_probability"] / level["u_probability"])), 6): AGREED[label]
                   for level in comparison["comparison_levels"]
                   if (label := level.get("label_for_charts")) in AGREED and level.get("u_probability")}
        if len(weights) < sum(level.get("label_for_charts") in AGREED for level in comparison["comparison_levels"]):
            raise ValueError(f"two levels of {comparison['output_column_name']} have the same weight: "
                             "give each its own m or u, or explanations cannot tell them apart")
        column = predictions[f"mw_{comparison['output_column_name']}"].round(6)
        parts.append(column.map(weights).map(lambda v: [v] if isinstance(v, str) else []))
    agreed = [sum(row, []) for row in zip(*parts)] if parts else [[] for _ in range(len(predictions))]
    a = predictions[["unique_id_l", "unique_id_r"]].min(axis=1)
    b = predictions[["unique_id_l", "unique_id_r"]].max(axis=1)
    return pd.DataFrame({"a": a, "b": b, "score": predictions["match_probability"].round(6),
                         "match_weight": predictions["match_weight"].round(4), "agreed": agreed})


def name_bearers(rows: pd.DataFrame) -> pd.Series:
    """How many people the data show to bear each row's name (same names in any order): the most different
    phones, or different birth dates, among its mentions (at least 1). A lower bound: two mentions of one name
    with two phones may be one person with two phones, and are taken as two.

    >>> rows = pd.DataFrame({"name_sorted": ["lan nguyen van"] * 3 + ["an le"], "phone_key": ["+1", "+2", None, None],
    ...                      "birth_date": [None, None, "1970-01-01", None]})
    >>> name_bearers(rows).tolist()
    [2, 2, 2, 1]
    """
    names = rows.groupby("name_sorted", dropna=False)
    most = np.maximum(names["phone_key"].transform("nunique"), names["birth_date"].transform("nunique"))
    return most.clip(lower=1).astype(int)


def exact_rules(rows: pd.DataFrame) -> set:
    """Must-link pairs: the same passport. (The cannot-link rule, different birth dates under one name, is
    checked as clusters grow, in ``match``: listing its pairs would take the square of a common name's
    mentions.)"""
    present = rows.dropna(subset=["passport"])[["unique_id", "passport"]]
    both = present.merge(present, on="passport")
    both = both[both["unique_id_x"] < both["unique_id_y"]]
    return set(zip(both["unique_id_x"], both["unique_id_y"]))


class DecisionsNotFoundError(NetgraphError, FileNotFoundError):
    """A decisions file that was named is not there (a typo in its path would otherwise drop every decision)."""


def read_decisions(path: str | Path | None) -> pd.DataFrame:
    """An analyst's decisions: CSV with a, b (person ids), decision (must_link / cannot_link), note."""
    if path is None:
        return pd.DataFrame(columns=DECISION_COLUMNS)
    if not Path(path).is_file():
        raise DecisionsNotFoundError(f"{path}: no such decisions file; give the CSV of must_link / cannot_link "
                                     "decisions (columns a,b,decision,note), or leave decisions out")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(DECISION_COLUMNS[:3]) - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: decisions need columns {DECISION_COLUMNS[:3]} (missing {sorted(missing)})")
    bad = set(frame["decision"]) - {"must_link", "cannot_link"}
    if bad:
        raise ValueError(f"{path}: decision must be must_link or cannot_link, not {sorted(bad)}")
    return frame.reindex(columns=DECISION_COLUMNS, fill_value="")


def match(rows: pd.DataFrame, decisions: pd.DataFrame | None = None, threshold: float = THRESHOLD,
          train: bool = False, api=None) -> Resolution:
    """Score, apply exact rules and decisions, and cluster (see the module doc); ``api``: Splink's backend."""
    notes: list[str] = []
    report: list[pd.DataFrame] = []
    seconds: dict[str, float] = {}
    scored = score_pairs(rows, threshold=min(threshold, 0.9), notes=notes, train=train, blocking_report=report,
                         seconds=seconds, api=api)
    start = time.perf_counter()
    must = exact_rules(rows)
    decisions = decisions if decisions is not None else read_decisions(None)
    pair = lambda x, y: (min(x, y), max(x, y))  # noqa: E731
    analyst_must = {pair(a, b) for a, b, d in decisions[["a", "b", "decision"]].itertuples(index=False)
                    if d == "must_link"}
    analyst_cannot = {pair(a, b) for a, b, d in decisions[["a", "b", "decision"]].itertuples(index=False)
                      if d == "cannot_link"}
    candidates = {}
    for row in scored.itertuples(index=False):
        key = (row.a, row.b)
        if key not in analyst_cannot and (row.score >= threshold or key in must):
            by = "rule: same passport" if key in must else "model"
            candidates[key] = (row.score, row.a, row.b, row.match_weight, list(row.agreed), by)
    for key in must - set(candidates) - analyst_cannot:
        candidates[key] = (1.0, key[0], key[1], np.inf, ["passport"], "rule: same passport")
    for key in analyst_must:
        candidates[key] = (1.0, key[0], key[1], np.inf, [], "analyst: must_link")
    candidates = list(candidates.values())
    never: dict[str, set] = {}
    for x, y in analyst_cannot:
        never.setdefault(x, set()).add(y)
        never.setdefault(y, set()).add(x)
    parent = {i: i for i in rows["unique_id"]}
    members = {i: {i} for i in rows["unique_id"]}
    # per cluster, the birth dates each name (any order) has in it: one name, two birth dates is two people
    born = {i: {name: {date}} for i, name, date in rows[["unique_id", "name_sorted", "birth_date"]].itertuples(
        index=False) if isinstance(date, str)}

    def dates_differ(x: str, y: str) -> bool:
        small, large = sorted((born.get(x, {}), born.get(y, {})), key=len)
        return any(name in large and large[name] != dates for name, dates in small.items())

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    accepted = []
    # analysts first, then rules, then the model, strongest first; ties by ids: deterministic
    order = {"analyst: must_link": 0, "rule: same passport": 1, "model": 2}
    for score, a, b, weight, agreed, by in sorted(candidates, key=lambda c: (order[c[5]], -c[0], c[1], c[2])):
        if a not in parent or b not in parent:
            continue
        ra, rb = find(a), find(b)
        if ra == rb:
            accepted.append((a, b, score, weight, agreed, by))
            continue
        if dates_differ(ra, rb) or never and any(never[x] & members[rb] for x in members[ra] if x in never):
            continue
        if len(members[ra]) < len(members[rb]):  # the smaller cluster joins the larger (the root names nothing)
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
        for name, dates in born.pop(rb, {}).items():
            born.setdefault(ra, {}).setdefault(name, set()).update(dates)
        accepted.append((a, b, score, weight, agreed, by))
    clusters = pd.DataFrame({"id": rows["unique_id"], "root": [find(i) for i in rows["unique_id"]],
                             "mentions": rows["mentions"].fillna(0).to_numpy(),
                             "native": [sum(ord(c) > 127 for c in str(n)) for n in rows["name"]]})
    # the cluster is named after its most-recorded spelling, then the one with the most letters beyond ASCII
    # (diacritics, hanzi: closest to how the person writes it), then the smallest id: stable
    ranked = clusters.sort_values(["root", "mentions", "native", "id"], ascending=[True, False, False, True])
    canonical = ranked.drop_duplicates("root").set_index("root")["id"]
    clusters["resolved_id"] = clusters["root"].map(canonical)
    links = pd.DataFrame(accepted, columns=["a", "b", "score", "match_weight", "agreed", "decided_by"])
    links["threshold"] = threshold
    seconds["rules and clustering"] = time.perf_counter() - start
    return Resolution(clusters[["id", "resolved_id"]].sort_values("id", ignore_index=True),
                      links.sort_values(["a", "b"], ignore_index=True), threshold, notes,
                      report[0] if report else None, seconds)


# --- the store ---------------------------------------------------------------------------------------
def resolve(store: GraphStore, decisions: str | Path | None = None, threshold: float = THRESHOLD,
            write: bool = True, api=None) -> Resolution:
    """Resolve the store's people; with ``write``, store ``resolved_id`` and ``SAME_AS`` (replacing any
    earlier resolution). ``api``: Splink's backend (default DuckDB)."""
    decided = read_decisions(decisions)  # a decisions file that is not there stops before any work
    result = match(features(store_people(store)), decided, threshold, api=api)
    if write:
        store.write_resolution(result.clusters, result.links)
    return result


def explain(store: GraphStore, person: str) -> pd.DataFrame:
    """Why ``person`` is merged with whom: the SAME_AS links of its cluster, with scores and agreeing fields."""
    persons = store.node_frame("Person").set_index("id")
    if person not in persons.index:
        raise KeyError(f"no person {person!r}")
    cluster = persons.index[persons["resolved_id"] == persons.at[person, "resolved_id"]] \
        if pd.notna(persons.at[person, "resolved_id"]) else [person]
    links = store.edge_frame("SAME_AS")
    links = links[links["source"].isin(cluster) | links["target"].isin(cluster)]
    names = persons["name"]
    return links.assign(source_name=links["source"].map(names), target_name=links["target"].map(names))[
        ["source", "source_name", "target", "target_name", "score", "threshold", "agreed", "decided_by", "sources"]]
