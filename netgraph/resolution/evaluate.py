"""A labelled evaluation set for entity resolution, and the measures to score a resolution against it.

Generated from a seed: Vietnamese people written with and without diacritics, in upper case, family name
last, with a typo, or in hanzi read in Sino-Vietnamese (阮文雄); Chinese people in pinyin, simplified and
traditional hanzi and either name order; others with case and typo variants; one phone written three ways
(0912 345 678, +84912345678, 84-912-345-678). Hard cases are added on purpose: different people with the
same common name, some told apart by birth date, some by nothing but their phones.

>>> rows, truth = evaluation_set(people=50, seed=1)
>>> len(rows) == len(truth) > 100
True
"""
from __future__ import annotations

import random

import pandas as pd
from sklearn.metrics import adjusted_rand_score

from .linkage import features
from .normalize import _han_viet

VN_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Đinh"]
VN_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quang", "Thanh", "Hữu", "Ngọc"]
VN_GIVEN = ["Hùng", "Lan", "Tuấn", "Hương", "Dũng", "Mai", "Sơn", "Thảo", "Long", "Hải", "Phong", "Trang", "Bình",
            "Khánh", "Tâm", "Vinh", "Quốc", "Xuân", "Thu", "An", "Anh", "Thành", "Công"]
CN_NAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou")]
CN_GIVEN = [("伟", "偉", "Wei"), ("芳", "芳", "Fang"), ("军", "軍", "Jun"), ("磊", "磊", "Lei"), ("敏", "敏", "Min"),
            ("强", "強", "Qiang"), ("静", "靜", "Jing"), ("涛", "濤", "Tao"), ("勇", "勇", "Yong"), ("杰", "傑", "Jie"),
            ("明", "明", "Ming"), ("华", "華", "Hua"), ("平", "平", "Ping"), ("刚", "剛", "Gang")]
OTHER = {  # given names, family names
    "NG": (["Emeka", "Chinedu", "Tunde", "Ngozi", "Aisha", "Obinna", "Ifeanyi", "Kelechi", "Chioma", "Uche"],
           ["Okafor", "Eze", "Balogun", "Nwosu", "Ibrahim", "Okonkwo", "Chukwu", "Adeyemi", "Obi", "Bello"]),
    "TH": (["Somchai", "Niran", "Pornthip", "Kittisak", "Malee", "Anucha", "Sompong", "Chai"],
           ["Srisuk", "Chaiyaporn", "Wongsawat", "Rattanakul", "Boonmee", "Thongchai", "Saelim", "Kaewkla"]),
    "MZ": (["Armando", "Celso", "Fátima", "Jacinto", "Lurdes", "Ernesto", "Alberto", "Graça"],
           ["Macuácua", "Cossa", "Sitoe", "Mondlane", "Nhantumbo", "Tembe", "Chissano", "Guebuza"]),
    "LA": (["Bounmy", "Khamla", "Somphone", "Vilay", "Souksavanh", "Phonsavanh", "Keo", "Noy"],
           ["Phommachanh", "Sayavong", "Vongsa", "Keomany", "Sisouphanh", "Inthavong", "Luangrath", "Chanthala"]),
    "MY": (["Ahmad", "Siew Ling", "Kamal", "Mei Ling", "Farid", "Nurul", "Azman", "Hui Min"],
           ["Tan", "Lim", "Abdullah", "Rahman", "Wong", "Ismail", "Ong", "Yusof"]),
}
PREFIX = {"VN": ("84", "9"), "CN": ("86", "13"), "NG": ("234", "80"), "TH": ("66", "8"), "MZ": ("258", "84"),
          "LA": ("856", "20"), "MY": ("60", "12")}


def _ascii_upper(name: str) -> str:
    import unicodedata
    folded = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in folded if not unicodedata.combining(c)).upper()


def _typo(rng: random.Random, name: str) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = rng.choice(letters[1:])  # never the first letter
    return name[:i] + rng.choice("aeioumnrt") + name[i + 1:]


def _phone_ways(rng: random.Random, nat: str, digits: str) -> list[str]:
    code, lead = PREFIX[nat]
    local = lead + digits
    return [f"0{local[:3]} {local[3:6]} {local[6:]}", f"+{code}{local}", f"{code}-{local[:3]}-{local[3:6]}-{local[6:]}"]


def _person(rng: random.Random, nat: str):
    """(canonical name, list of spellings) for one invented person."""
    hanviet = {v: k for k, v in _han_viet().items()}
    if nat == "VN":  # half the people have a two-syllable given name (Nguyễn Văn Hùng Anh)
        parts = [rng.choice(VN_FAMILY), rng.choice(VN_MIDDLE), rng.choice(VN_GIVEN)]
        if rng.random() < 0.5:
            parts.append(rng.choice(VN_GIVEN))
        name = " ".join(parts)
        ways = [name, _ascii_upper(name), " ".join(parts[2:] + parts[:2]), _typo(rng, _ascii_upper(name).title())]
        if all(any(k.lower() == p.lower() for k in hanviet) for p in parts):
            table = {k.lower(): v for k, v in hanviet.items()}
            ways.append("".join(table[p.lower()] for p in parts))
        return name, ways
    if nat == "CN":  # half the people have a two-character given name (Wang Weijun)
        family, given = rng.choice(CN_NAMES), [rng.choice(CN_GIVEN)]
        if rng.random() < 0.5:
            given.append(rng.choice(CN_GIVEN))
        latin = given[0][2] + "".join(g[2].lower() for g in given[1:])
        name = f"{family[1]} {latin}"
        simplified = family[0] + "".join(g[0] for g in given)
        traditional = family[0] + "".join(g[1] for g in given)
        return name, [name, simplified, traditional, f"{latin} {family[1]}", name.upper()]
    givens, families = OTHER[nat]
    given = rng.choice(givens) + (f" {rng.choice(givens)}" if rng.random() < 0.5 else "")
    family = rng.choice(families)
    name = f"{given} {family}"
    return name, [name, name.upper(), f"{family} {given}", _typo(rng, name)]


def evaluation_set(people: int = 300, seed: int = 0, hard_cases: int = 10) -> tuple[pd.DataFrame, pd.Series]:
    """(feature rows of every mention, the true person of each) — see the module doc."""
    rng = random.Random(seed)
    rows, truth, used = [], [], set()
    reserved = {f"Nguyễn Văn {VN_GIVEN[case % len(VN_GIVEN)]}" for case in range(hard_cases)}
    for person in range(people):
        nat = rng.choices(["VN", "CN", "NG", "TH", "MZ", "LA", "MY"], [5, 2, 1, 1, 1, 1, 1])[0]
        canonical, ways = _person(rng, nat)
        for _ in range(50):  # a name of its own while the pools last; then, as in life, namesakes
            if canonical not in used and canonical not in reserved:
                break
            canonical, ways = _person(rng, nat)
        while canonical in reserved:  # the hard cases below are the only planted namesakes of theirs
            canonical, ways = _person(rng, nat)
        used.add(canonical)
        digits = "".join(str(rng.randint(0, 9)) for _ in range(7))
        phones = _phone_ways(rng, nat, digits)
        born = f"19{rng.randint(55, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        for k in range(rng.randint(2, 4)):
            spelling = ways[0] if k == 0 else rng.choice(ways[1:])
            rows.append({"id": f"m{len(rows):06d}", "name": spelling, "nationality": nat, "passport": None,
                         "birth_date": born if rng.random() < 0.3 else None,
                         "phones": [rng.choice(phones)] if rng.random() < 0.7 else []})
            truth.append(person)
    for case in range(hard_cases):  # the same common name, different people
        name = f"Nguyễn Văn {VN_GIVEN[case % len(VN_GIVEN)]}"
        for twin in range(2):
            person = people + 2 * case + twin
            digits = "".join(str(rng.randint(0, 9)) for _ in range(7))
            dated = case % 2 == 0  # half are told apart by birth date, half only by their phones
            for _ in range(2):
                rows.append({"id": f"m{len(rows):06d}", "name": name, "nationality": "VN", "passport": None,
                             "birth_date": f"19{70 + twin}-0{1 + case % 9}-1{twin}" if dated else None,
                             "phones": [_phone_ways(rng, "VN", digits)[rng.randint(0, 2)]]})
                truth.append(person)
    people_frame = pd.DataFrame(rows).assign(sources=lambda f: [[i] for i in f["id"]])
    return features(people_frame), pd.Series(truth, index=[r["id"] for r in rows])


def pairwise(truth: pd.Series, predicted: pd.Series) -> dict:
    """Pairwise precision, recall and F1 of "same person", the adjusted Rand index of the clusterings, and
    the share of true people recovered exactly."""
    frame = pd.DataFrame({"truth": truth, "predicted": predicted.reindex(truth.index)})
    pairs = lambda s: int((s.value_counts() * (s.value_counts() - 1) // 2).sum())  # noqa: E731
    both = pairs(frame["truth"].astype(str) + "|" + frame["predicted"].astype(str))
    true_pairs, predicted_pairs = pairs(frame["truth"]), pairs(frame["predicted"])
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    exact = frame.groupby("truth")["predicted"].agg(lambda p: p.nunique() == 1)
    sizes = frame.groupby("predicted")["truth"].nunique()
    exact &= frame.groupby("truth")["predicted"].first().map(sizes).eq(1)
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "adjusted_rand": adjusted_rand_score(frame["truth"], frame["predicted"]),
            "people_recovered_exactly": float(exact.mean())}
