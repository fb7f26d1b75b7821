"""Synthetic seizure records in the shipped ``cen_customs`` mapping's format, seeded and vectorised
(numpy draws, Arrow string kernels: no Python loop over rows).

    python benchmarks/generate_records.py 1000000 /tmp/cen_1m.csv

Shape: a few hubs appear in most rows (seizures in Viet Nam, China and Nigeria; Nội Bài, Hải Phòng, Tân Sơn
Nhất, Lagos, Addis Ababa on the routes); offenders come from a pool of ``pool_n // 4`` people in groups of
20, so people recur and co-offend within their group, and some share their group's handset; companies,
vehicles, vessels and flights come from pools that also grow with ``pool_n``; a route names 1–3 stops
(departure; departure and destination; departure, transit and destination); commodities and units are
ones the vocabularies in ``loaders/vocab`` know; dates span 2016–2025; record ids are unique.

``generate(n, pool_n=N, first_id=N)`` gives ``n`` new records (ids from ``first_id``) over the same people,
companies and hubs as ``generate(N)``: an increment that hits existing nodes.
"""
from __future__ import annotations

import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

GROUP_SIZE = 20
NAMES = {  # nationality (as the export writes it): family names, given names, family name first?
    "Vietnam": (["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"],
                ["Hùng", "Lan", "Tuấn", "Hương", "Dũng", "Mai", "Sơn", "Thảo", "Long", "Hải", "Phong", "Trang"],
                True),
    "China": (["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"],
              ["Wei", "Fang", "Jun", "Lei", "Min", "Qiang", "Jing", "Hao", "Yan", "Tao"], True),
    "Nigeria": (["Okafor", "Adeyemi", "Eze", "Balogun", "Nwosu", "Ibrahim", "Okonkwo", "Chukwu"],
                ["Chinedu", "Emeka", "Ngozi", "Tunde", "Aisha", "Obinna", "Ifeanyi", "Kelechi"], False),
    "Laos": (["Phommachanh", "Sayavong", "Vongsa", "Keomany", "Sisouphanh", "Inthavong"],
             ["Bounmy", "Khamla", "Somphone", "Vilay", "Souksavanh", "Phonsavanh"], False),
    "Thailand": (["Srisuk", "Chaiyaporn", "Wongsawat", "Rattanakul", "Boonmee", "Thongchai"],
                 ["Somchai", "Niran", "Pornthip", "Kittisak", "Malee", "Anucha"], False),
    "Mozambique": (["Macuácua", "Cossa", "Sitoe", "Mondlane", "Nhantumbo", "Tembe"],
                   ["Armando", "Celso", "Fátima", "Jacinto", "Lurdes", "Ernesto"], False),
    "Malaysia": (["Tan", "Lim", "Abdullah", "Rahman", "Wong"], ["Ahmad", "Kamal", "Farid", "Aziz", "Hafiz"], False),
}
NATIONALITY_WEIGHTS = [0.40, 0.20, 0.15, 0.07, 0.07, 0.05, 0.06]
PHONE_PREFIX = {"Vietnam": "+84 9", "China": "+86 13", "Nigeria": "+234 80", "Laos": "+856 20",
                "Thailand": "+66 8", "Mozambique": "+258 84", "Malaysia": "+60 12"}
# country of seizure, place (in the gazetteer, in that country), customs office, transport mode, weight
SEIZURE_PLACES = [
    ("Vietnam", "Nội Bài", "Hải quan Nội Bài", "Air", 14),
    ("Vietnam", "Tân Sơn Nhất", "Hải quan Tân Sơn Nhất", "Air", 12),
    ("Vietnam", "Hải Phòng", "Cục Hải quan Hải Phòng", "Sea", 12),
    ("Vietnam", "Cát Lái", "Hải quan Cát Lái", "Sea", 6),
    ("Vietnam", "Móng Cái", "Chi cục Hải quan Móng Cái", "Road", 8),
    ("China", "Pingxiang", "Guangxi Anti-Smuggling Bureau", "Road", 8),
    ("China", "Dongxing", "Guangxi Anti-Smuggling Bureau", "Road", 6),
    ("China", "Guangzhou", "Guangzhou Customs", "Air", 5),
    ("Nigeria", "Lagos", "Nigeria Customs Service", "Sea", 9),
    ("Thailand", "Bangkok", "Thai Customs Department", "Air", 6),
    ("Malaysia", "Kuala Lumpur", "Royal Malaysian Customs", "Air", 4),
    ("Singapore", "Singapore", "Singapore Customs", "Sea", 4),
    ("Mozambique", "Maputo", "Autoridade Tributária de Moçambique", "Sea", 3),
    ("Laos", "Vientiane", "Lao Customs Department", "Road", 3)]
DEPARTURES = (["Lagos", "Maputo", "Pemba", "Bangkok", "Vientiane", "Bolikhamxay", "Kinshasa", "Douala",
               "Dar es Salaam", "Mombasa", "Entebbe", "Johannesburg"], [30, 8, 4, 10, 6, 4, 5, 5, 8, 6, 4, 5])
TRANSITS = (["Addis Ababa", "Doha", "Dubai", "Istanbul", "Singapore", "Kuala Lumpur", "Nairobi", "Hong Kong",
             "Móng Cái", "Hữu Nghị"], [30, 10, 8, 5, 10, 8, 6, 8, 9, 6])
DESTINATIONS = (["Nội Bài", "Tân Sơn Nhất", "Hải Phòng", "Cát Lái", "Hà Nội", "Dongxing", "Pingxiang", "Nanning",
                 "Guangzhou", "Hong Kong", "Bangkok"], [22, 16, 16, 8, 6, 6, 6, 5, 6, 5, 4])
# names as commodities.yaml writes them, unit (units.yaml), quantity range
COMMODITIES = [("pangolin scales", "kg", 20, 8000), ("pangolins", "pieces", 2, 80), ("pangolin meat", "kg", 5, 500),
               ("tiger bone", "kg", 2, 120), ("tiger skin", "pieces", 1, 5), ("tiger carcass", "pieces", 1, 4),
               ("tiger bone glue", "kg", 1, 30), ("rhino horn", "kg", 1, 40), ("ivory", "kg", 10, 3000),
               ("ivory products", "kg", 1, 60), ("turtles", "pieces", 10, 1500), ("box turtles", "pieces", 5, 300),
               ("bear bile", "kg", 1, 10), ("hawksbill shell", "kg", 1, 200), ("birds", "pieces", 5, 400)]
COMMODITY_WEIGHTS = [20, 5, 3, 5, 2, 2, 2, 10, 14, 4, 10, 5, 4, 3, 4]
DETECTION = ["X-ray", "Document check", "Risk profiling", "Canine", "Intelligence tip-off", "Physical inspection"]
AIRLINES = ["ET", "QR", "EK", "TK", "VN", "CZ", "MH", "TG", "KQ"]
PARTNERS = ["Vietnam", "China", "Thailand", "Malaysia", "Nigeria"]
SYLLABLES = [c + v for c in "bdghklmnprstvyz" for v in "aeiou"]  # 75 coined syllables


def strings(values) -> pa.Array:
    return pa.array(values, pa.string())


def cat(*parts) -> pa.Array:
    """Concatenate string arrays (or scalars) elementwise."""
    return pc.binary_join_element_wise(*parts, "")


def text(values, width: int = 0) -> pa.Array:
    """Integers (or floats, shortest form: 12.5, 30) as strings, zero-padded to ``width``."""
    out = pc.cast(pa.array(values), pa.string())
    return pc.utf8_lpad(out, width, padding="0") if width else out


def coined(i) -> pa.Array:
    """A pronounceable token per integer ("Kabote"), distinct for integers below 75**3 = 421,875."""
    i = np.asarray(i) * 7919 % 75**3  # a bijection below 75**3 that scatters consecutive integers
    first = strings([s.capitalize() for s in SYLLABLES])
    return cat(first.take(i % 75), strings(SYLLABLES).take(i // 75 % 75), strings(SYLLABLES).take(i // 5625 % 75))


def skewed(rng: np.random.Generator, size: int, n: int, power: float = 2.0) -> np.ndarray:
    """Indices below ``n``, low ones far more often (density falls like x**(1/power - 1))."""
    return np.minimum((n * rng.random(size) ** power).astype(np.int64), n - 1)


def pools(pool_n: int, seed: int) -> dict:
    """People (name, nationality, phone), group handsets and companies for a data set of ``pool_n`` records."""
    rng = np.random.default_rng([seed, 0])
    n_people = max(GROUP_SIZE * 5, pool_n // 4 // GROUP_SIZE * GROUP_SIZE)
    nats = list(NAMES)
    nat = rng.choice(len(nats), n_people, p=NATIONALITY_WEIGHTS)
    order = np.argsort(nat, kind="stable")  # people grouped by nationality; `back` puts them in pool order
    back = np.empty(n_people, dtype=np.int64)
    back[order] = np.arange(n_people)
    names, phones = [], []
    for k, country in enumerate(nats):
        family, given, family_first = NAMES[country]
        at = order[nat[order] == k]
        local = np.arange(len(at))  # the coined middle name keeps names distinct within a nationality
        fam, giv = strings(family).take(local % len(family)), strings(given).take(local // len(family) % len(given))
        names.append(pc.binary_join_element_wise(*((fam, coined(local), giv) if family_first
                                                   else (giv, coined(local), fam)), " "))
        phones.append(cat(PHONE_PREFIX[country], text((at * 48271 + 12345) % 10**8, 8)))
    n_groups = n_people // GROUP_SIZE
    n_companies = max(20, pool_n // 40)
    form = np.arange(n_companies) % 5  # legal form before or after the name, as each country writes it
    before = strings(["", "", "", "", "Công ty TNHH Thương mại "]).take(form)
    after = strings([" Trading Co., Ltd", " Import Export Ltd", " Logistics Sdn Bhd", " Marine Products Lda",
                     ""]).take(form)
    return {"names": pa.concat_arrays(names).take(back), "phones": pa.concat_arrays(phones).take(back),
            "nat": strings(nats).take(nat), "n_groups": n_groups, "pool_n": pool_n,
            "group_phone": cat("+84 9", text((np.arange(n_groups) * 69621 + 777) % 10**8, 8)),
            "companies": cat(before, coined(np.arange(n_companies)), after)}


def generate(n: int, seed: int = 0, pool_n: int | None = None, first_id: int = 0) -> pa.Table:
    """``n`` records in the ``cen_customs`` columns, drawn over the pools of a ``pool_n``-record data set."""
    pool = pools(pool_n or n, seed)
    rng = np.random.default_rng([seed, 1, first_id])

    def pick(options, weights=None) -> pa.Array:
        p = None if weights is None else np.array(weights) / sum(weights)
        return strings(options).take(rng.choice(len(options), n, p=p))

    def sometimes(share: float, values, otherwise="") -> pa.Array:
        return pc.if_else(rng.random(n) < share, values, otherwise)

    # when and where
    seized = np.datetime64("2016-01-01") + rng.integers(0, 10 * 365, n)
    dates = text(seized)
    country, where, office, mode = (strings([p[i] for p in SEIZURE_PLACES]) for i in range(4))
    weights = np.array([p[4] for p in SEIZURE_PLACES], dtype=float)
    place = rng.choice(len(SEIZURE_PLACES), n, p=weights / weights.sum())
    country, where, office, mode = (column.take(place) for column in (country, where, office, mode))
    # route: 1-3 stops
    stops = rng.choice([1, 2, 3], n, p=[0.2, 0.5, 0.3])
    transit = pc.if_else(stops == 3, pick(*TRANSITS), "")
    destination = pc.if_else(stops >= 2, pick(*DESTINATIONS), "")
    # what: one or two commodities; two with a unit each
    names_c, units = strings([c[0] for c in COMMODITIES]), strings([c[1] for c in COMMODITIES])
    lo, hi = (np.array([c[i] for c in COMMODITIES], dtype=float) for i in (2, 3))
    c1 = rng.choice(len(COMMODITIES), n, p=np.array(COMMODITY_WEIGHTS) / sum(COMMODITY_WEIGHTS))
    c2 = (c1 + 1 + rng.integers(0, len(COMMODITIES) - 1, n)) % len(COMMODITIES)
    two = rng.random(n) < 0.25

    def amount(c):
        q = lo[c] * (hi[c] / lo[c]) ** rng.random(n)
        return text(np.where(units.take(c).to_numpy(zero_copy_only=False) == "kg", np.round(q, 1), np.round(q)))
    q1, q2 = amount(c1), amount(c2)
    commodity = pc.if_else(two, cat(names_c.take(c1), "; ", names_c.take(c2)), names_c.take(c1))
    quantity = pc.if_else(two, cat(q1, " ", units.take(c1), "; ", q2, " ", units.take(c2)), q1)
    # who: 1-4 offenders from one group, distinct, the group's leaders most often
    group = skewed(rng, n, pool["n_groups"], 1.5)
    k = rng.choice([1, 2, 3, 4], n, p=[0.35, 0.35, 0.2, 0.1])
    start = skewed(rng, n, GROUP_SIZE, 1.5)
    step = rng.choice([1, 3, 7, 9, 11, 13, 17, 19], n)  # coprime to 20: four distinct members
    cells = {"names": [], "nat": [], "phones": []}
    for j in range(4):
        person = group * GROUP_SIZE + (start + j * step) % GROUP_SIZE
        own = pool["phones"].take(person)
        handset = sometimes(0.15, cat(own, ", ", pool["group_phone"].take(group)), own)
        for key, value in (("names", pool["names"].take(person)), ("nat", pool["nat"].take(person)),
                           ("phones", handset)):
            cells[key].append(value if j == 0 else pc.if_else(k > j, cat("; ", value), ""))
    offenders, nationality, phone = (cat(*cells[key]) for key in ("names", "nat", "phones"))
    companies = pool["companies"]
    company = sometimes(0.4, companies.take((group * 7 + rng.integers(0, 2, n)) % len(companies)))
    # conveyance by mode, from pools that grow with the data
    plate = skewed(rng, n, max(100, pool["pool_n"] // 20)) * 7919 % 405_000  # scattered, distinct below 405,000
    plates = cat(strings(["29H", "14C", "12C", "15C", "37C"]).take(plate % 5), "-", text(plate // 5 % 900 + 100), ".",
                 text(plate // 4500 % 90 + 10))
    vessels = cat("MV ", coined(skewed(rng, n, max(10, pool["pool_n"] // 200))))
    flights = cat(pick(AIRLINES), " ", text(rng.integers(100, 1000, n)))
    conveyance = pc.if_else(pc.equal(mode, "Road"), plates, pc.if_else(pc.equal(mode, "Sea"), vessels, flights))
    document = pc.if_else(pc.equal(mode, "Air"), cat("AWB ", text(rng.integers(100, 1000, n)), "-",
                                                     text(rng.integers(10**6, 10**7, n))),
                          cat("BL-", text(rng.integers(100000, 1000000, n))))
    # what followed
    arrested = np.where(rng.random(n) < 0.75, 1 + (rng.random(n) * k).astype(int), 0)
    prosecuted = (arrested > 0) & (rng.random(n) < 0.55)
    convicted = prosecuted & (rng.random(n) < 0.6)
    p_day = seized + rng.integers(20, 200, n)
    c_day = p_day + rng.integers(60, 420, n)
    partner = pick(PARTNERS)
    partner = pc.if_else(pc.equal(partner, country), pc.if_else(pc.equal(country, "Vietnam"), "China", "Vietnam"),
                         partner)
    return pa.table({
        "Case ID": cat("CEN-", pc.utf8_slice_codeunits(dates, 0, 4), "-", text(np.arange(first_id, first_id + n), 7)),
        "Date of seizure": dates, "Country of seizure": country, "Customs office": office, "Place of seizure": where,
        "Transport mode": mode, "Detection method": pick(DETECTION), "Commodity": commodity, "Quantity": quantity,
        "Unit": pc.if_else(two, "", units.take(c1)), "Departure": pick(*DEPARTURES), "Transit": transit,
        "Destination": destination, "Offenders": offenders, "Offender nationality": nationality,
        "Offender phone": phone, "Conveyance": sometimes(0.6, conveyance), "Consignee company": company,
        "Document number": sometimes(0.6, document), "Source reliability": pick(list("ABCD"), [2, 4, 3, 1]),
        "Information validity": rng.choice([1, 2, 3, 4], n), "Handling code": rng.choice([1, 2, 3, 4, 5], n),
        "Arrests": arrested, "Prosecution date": pc.if_else(prosecuted, text(p_day), ""),
        "Conviction date": pc.if_else(convicted, text(c_day), ""),
        "Sentence": pc.if_else(convicted, cat(text(rng.choice([1, 2, 3, 5, 7, 10, 12], n)), " years"), ""),
        "Joint operation with": sometimes(0.2, partner)})


def write_csv(records: pa.Table, path) -> None:
    pa_csv.write_csv(records, str(path), pa_csv.WriteOptions(quoting_style="needed"))


if __name__ == "__main__":
    import time
    t = time.perf_counter()
    records = generate(int(sys.argv[1]))
    made = time.perf_counter() - t
    write_csv(records, sys.argv[2])
    print(f"{records.num_rows:,} records: generated in {made:.1f} s, written in {time.perf_counter() - t - made:.1f} s")
