"""Generate netgraph's bundled sample data (invented people, realistic structure), from a fixed seed.

    python loaders/samples/generate.py          # rewrites the files beside this script

Six organised groups work real routes (Nigeria → Ethiopia → Viet Nam pangolin scales, Mozambique → Qatar →
Viet Nam rhino horn, Laos → Viet Nam tigers, Viet Nam → China across Móng Cái and Hữu Nghị, Thailand →
Malaysia turtles); a few brokers work for several groups; members share phones, front companies and
vehicles. Seizures are written twice over, as agencies would: a CEN-style customs export (English
columns, CSV, with a JSON extract) and a Vietnamese agency spreadsheet (XLSX). Every name is invented.
A few rows carry the mistakes real exports carry (a bad date, a negative quantity, an unknown unit); the
loaders must reject exactly those.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

SEED = 20261125
HERE = Path(__file__).resolve().parent

NAMES = {
    "VN": (["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"],
           ["Văn", "Thị", "Đức", "Minh", "Quang", "Thanh", "Hữu", "Ngọc"],
           ["Hùng", "Lan", "Tuấn", "Hương", "Dũng", "Mai", "Sơn", "Thảo", "Long", "Hải", "Phong", "Trang", "Bình",
            "Khánh", "Tâm", "Vinh"]),
    "CN": (["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"], [],
           ["Wei", "Fang", "Jun", "Lei", "Min", "Qiang", "Jing", "Hao", "Yan", "Tao", "Xiu", "Bo"]),
    "LA": (["Phommachanh", "Sayavong", "Vongsa", "Keomany", "Sisouphanh", "Inthavong"], [],
           ["Bounmy", "Khamla", "Somphone", "Vilay", "Souksavanh", "Phonsavanh"]),
    "TH": (["Srisuk", "Chaiyaporn", "Wongsawat", "Rattanakul", "Boonmee", "Thongchai"], [],
           ["Somchai", "Niran", "Pornthip", "Kittisak", "Malee", "Anucha"]),
    "NG": (["Okafor", "Adeyemi", "Eze", "Balogun", "Nwosu", "Ibrahim", "Okonkwo", "Chukwu"], [],
           ["Chinedu", "Emeka", "Ngozi", "Tunde", "Aisha", "Obinna", "Ifeanyi", "Kelechi"]),
    "MZ": (["Macuácua", "Cossa", "Sitoe", "Mondlane", "Nhantumbo", "Tembe"], [],
           ["Armando", "Celso", "Fátima", "Jacinto", "Lurdes", "Ernesto"]),
    "MY": (["Tan", "Lim", "Abdullah", "Rahman", "Wong"], [], ["Ahmad", "Siew Ling", "Kamal", "Mei Ling", "Farid"]),
}
FIRST_NAME_LAST = {"VN", "CN"}  # family name written first
COUNTRY_EN = {"VN": "Vietnam", "CN": "China", "LA": "Laos", "TH": "Thailand", "NG": "Nigeria", "MZ": "Mozambique",
              "MY": "Malaysia", "ET": "Ethiopia", "QA": "Qatar", "KE": "Kenya", "AE": "UAE", "SG": "Singapore"}
COUNTRY_VI = {"VN": "Việt Nam", "CN": "Trung Quốc", "LA": "Lào", "TH": "Thái Lan", "NG": "Nigeria",
              "MZ": "Mozambique", "MY": "Malaysia"}  # names Vietnamese agencies write


@dataclass
class Group:
    name: str
    nationalities: list[str]
    size: int
    commodities: list[tuple[str, str, str, tuple[float, float]]]  # (English, Vietnamese, unit, range)
    routes: list[tuple[str, list[str], str]]  # (origin, transits, destination) place names
    seizure_places: list[tuple[str, str, str]]  # (country, place, agency)
    mode: str
    company_names: list[str]
    members: list[dict] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    vehicles: list[str] = field(default_factory=list)


GROUPS = [
    Group("Lagos pangolin syndicate", ["NG", "NG", "VN"], 16,
          [("pangolin scales", "vảy tê tê", "kg", (120, 8000)), ("ivory", "ngà voi", "kg", (50, 900))],
          [("Lagos", ["Addis Ababa"], "Nội Bài"), ("Lagos", ["Singapore"], "Hải Phòng"), ("Lagos", [], "Cát Lái")],
          [("VN", "Hải Phòng", "Cục Hải quan Hải Phòng"), ("VN", "Nội Bài", "Hải quan Nội Bài"),
           ("NG", "Lagos", "Nigeria Customs Service"), ("SG", "Singapore", "Singapore Customs")],
          "sea", ["Eko Global Trading Ltd", "Công ty TNHH Thương mại Biển Bắc"]),
    Group("Mozambique rhino horn network", ["MZ", "VN", "VN"], 12,
          [("rhino horn", "sừng tê giác", "kg", (2, 40)), ("ivory", "ngà voi", "kg", (20, 300))],
          [("Maputo", ["Doha"], "Tân Sơn Nhất"), ("Maputo", ["Addis Ababa"], "Nội Bài"),
           ("Pemba", ["Nairobi"], "Bangkok")],
          [("VN", "Tân Sơn Nhất", "Hải quan Tân Sơn Nhất"), ("MZ", "Maputo", "Autoridade Tributária de Moçambique"),
           ("QA", "Doha", "Qatar Customs")],
          "air", ["Maputo Marine Exports Lda"]),
    Group("Bolikhamxay tiger network", ["LA", "LA", "VN"], 14,
          [("tiger bone", "xương hổ", "kg", (5, 120)), ("tiger carcass", "xác hổ", "pieces", (1, 4)),
           ("tiger bone glue", "cao hổ", "kg", (1, 30))],
          [("Bolikhamxay", ["Cầu Treo"], "Hà Nội"), ("Vientiane", ["Lao Bảo"], "Nghệ An"),
           ("Golden Triangle SEZ", ["Boten"], "Mohan")],
          [("VN", "Cầu Treo", "Bộ đội Biên phòng Hà Tĩnh"), ("VN", "Nghệ An", "Công an tỉnh Nghệ An"),
           ("LA", "Vientiane", "Lao Customs Department")],
          "road", ["Vongsa Trading Co., Ltd"]),
    Group("Móng Cái ring", ["VN", "VN", "CN"], 18,
          [("pangolin scales", "vảy tê tê", "kg", (30, 900)), ("ivory products", "sản phẩm ngà voi", "kg", (5, 60)),
           ("pangolins", "tê tê", "pieces", (5, 80))],
          [("Hải Phòng", ["Móng Cái"], "Dongxing"), ("Hà Nội", ["Móng Cái"], "Nanning")],
          [("VN", "Móng Cái", "Chi cục Hải quan Móng Cái"), ("VN", "Quảng Ninh", "Công an tỉnh Quảng Ninh"),
           ("CN", "Dongxing", "Guangxi Anti-Smuggling Bureau")],
          "road", ["Công ty TNHH Xuất nhập khẩu Hải Hà", "Dongxing Hengtai Trading Co., Ltd"]),
    Group("Lạng Sơn ring", ["VN", "CN", "CN"], 14,
          [("rhino horn", "sừng tê giác", "kg", (1, 25)), ("tiger skin", "da hổ", "pieces", (1, 3)),
           ("bear bile", "mật gấu", "kg", (1, 10))],
          [("Hà Nội", ["Hữu Nghị"], "Pingxiang"), ("Nghệ An", ["Lạng Sơn"], "Nanning")],
          [("VN", "Hữu Nghị", "Chi cục Hải quan Hữu Nghị"), ("VN", "Lạng Sơn", "Bộ đội Biên phòng Lạng Sơn"),
           ("CN", "Pingxiang", "Guangxi Anti-Smuggling Bureau")],
          "road", ["Công ty TNHH Thương mại Đông Bắc"]),
    Group("Bangkok turtle traders", ["TH", "TH", "MY"], 12,
          [("turtles", "rùa", "pieces", (40, 1500)), ("box turtles", "rùa hộp", "pieces", (10, 300))],
          [("Bangkok", [], "Kuala Lumpur"), ("Bangkok", ["Kuala Lumpur"], "Hong Kong")],
          [("TH", "Bangkok", "Thai Customs Department"), ("MY", "Kuala Lumpur", "Royal Malaysian Customs")],
          "air", ["Siam Aqua Exotics Co., Ltd"]),
]
BROKER_GROUPS = [(0, 3, "VN"), (1, 4, "VN"), (2, 3, "VN"), (3, 4, "CN"), (1, 5, "TH"), (0, 1, "VN")]
DETECTION = ["X-ray", "Document check", "Risk profiling", "Canine", "Intelligence tip-off", "Physical inspection"]
ROLES_EN = {"suspect": "suspect", "courier": "courier"}


def person_name(rng: random.Random, nat: str, used: set[str]) -> str:
    family, middle, given = NAMES[nat]
    while True:
        if nat == "VN":
            name = f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}"
        elif nat in FIRST_NAME_LAST:
            name = f"{rng.choice(family)} {rng.choice(given)}"
        else:
            name = f"{rng.choice(given)} {rng.choice(family)}"
        if name not in used:
            used.add(name)
            return name


def ascii_upper(name: str) -> str:
    """How a passport or an English export writes a Vietnamese name: no diacritics, upper case."""
    folded = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in folded if not unicodedata.combining(c)).upper()


def phone(rng: random.Random, nat: str) -> str:
    prefix = {"VN": "+84 9", "CN": "+86 13", "LA": "+856 20", "TH": "+66 8", "NG": "+234 80", "MZ": "+258 84",
              "MY": "+60 12"}[nat]
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))


def plate(rng: random.Random, nat: str) -> str:
    if nat == "CN":
        return f"桂{rng.choice('ABFKP')}{rng.randint(10000, 99999)}"
    if nat == "LA":
        return f"LA-{rng.randint(1000, 9999)}"
    return f"{rng.choice(['14C', '29H', '12C', '37C', '15C'])}-{rng.randint(100, 999)}.{rng.randint(10, 99)}"


def build_people(rng: random.Random):
    used: set[str] = set()
    for group in GROUPS:
        for i in range(group.size):
            nat = group.nationalities[i % len(group.nationalities)]
            group.members.append({"name": person_name(rng, nat, used), "nat": nat, "phones": [phone(rng, nat)],
                                  "employer": None, "directs": None})
        # a few shared handsets per group
        for _ in range(2):
            shared = phone(rng, group.members[0]["nat"])
            for member in rng.sample(group.members[:8], 3):
                member["phones"].append(shared)
        for c, company in enumerate(group.company_names):
            group.members[c]["directs"] = company
            for member in rng.sample(group.members[2:], 3):
                member["employer"] = member["employer"] or company
        group.vehicles = [plate(rng, group.members[0]["nat"]) for _ in range(3)]
    brokers = []
    for a, b, nat in BROKER_GROUPS:
        broker = {"name": person_name(rng, nat, used), "nat": nat, "phones": [phone(rng, nat)], "employer": None,
                  "directs": None, "groups": (a, b)}
        brokers.append(broker)
    return brokers


def seizures(rng: random.Random, brokers: list[dict], n: int):
    start = dt.date(2019, 1, 1)
    weights = [1.2, 0.8, 0.9, 1.4, 1.0, 0.7]
    for k in range(n):
        gi = rng.choices(range(len(GROUPS)), weights)[0]
        group = GROUPS[gi]
        ranks = [1 / (r + 1) ** 0.8 for r in range(len(group.members))]
        people = []
        while len(people) < rng.randint(1, 4):
            member = rng.choices(group.members, ranks)[0]
            if member not in people:
                people.append(member)
        candidates = [b for b in brokers if gi in b["groups"]]
        if candidates and rng.random() < 0.1:
            people.append(rng.choice(candidates))
        goods = rng.sample(group.commodities, rng.choice([1, 1, 1, 2]))
        origin, transits, destination = rng.choice(group.routes)
        country, place, agency = rng.choice(group.seizure_places)
        yield {"k": k, "group": gi, "date": start + dt.timedelta(days=rng.randint(0, 6 * 365)),
               "people": people, "goods": [(g, round(rng.uniform(*g[3]), 1 if g[2] == "kg" else 0)) for g in goods],
               "route": (origin, transits, destination), "country": country, "place": place, "agency": agency,
               "mode": group.mode, "vehicle": rng.choice(group.vehicles) if group.mode == "road" else None,
               "company": rng.choice(group.company_names) if rng.random() < 0.4 else None,
               "detection": rng.choice(DETECTION), "reliability": rng.choice("AABBBBCCCD"),
               "validity": rng.choice([1, 2, 2, 2, 3, 3, 4]), "handling": rng.choice([1, 1, 2, 2, 3, 3, 3, 4, 5]),
               "document": f"AWB {rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}" if group.mode == "air"
               else (f"BL-{rng.randint(100000, 999999)}" if group.mode == "sea" else None)}


def cen_rows(rng: random.Random, events: list[dict]) -> list[dict]:
    rows = []
    for e in events:
        people = e["people"]
        written = [ascii_upper(p["name"]) if p["nat"] == "VN" and rng.random() < 0.2 else p["name"] for p in people]
        origin, transits, destination = e["route"]
        rows.append({
            "Case ID": f"CEN-{e['date'].year}-{e['k']:04d}", "Date of seizure": e["date"].isoformat(),
            "Country of seizure": COUNTRY_EN.get(e["country"], e["country"]), "Customs office": e["agency"],
            "Place of seizure": e["place"], "Transport mode": {"sea": "Sea", "air": "Air", "road": "Road"}[e["mode"]],
            "Detection method": e["detection"], "Commodity": "; ".join(g[0][0] for g in e["goods"]),
            "Quantity": "; ".join(f"{q:g}" for _, q in e["goods"]),
            "Unit": e["goods"][0][0][2] if len({g[0][2] for g in e["goods"]}) == 1 else "",
            "Departure": origin, "Transit": "; ".join(transits), "Destination": destination,
            "Offenders": "; ".join(written), "Offender nationality": "; ".join(COUNTRY_EN[p["nat"]] for p in people),
            "Offender phone": "; ".join(p["phones"][0] for p in people),
            "Conveyance": e["vehicle"] or "", "Consignee company": e["company"] or "",
            "Document number": e["document"] or "", "Source reliability": e["reliability"],
            "Information validity": e["validity"], "Handling code": e["handling"],
            "Arrests": e["outcome"]["arrested"],
            "Prosecution date": e["outcome"]["prosecuted"].isoformat() if e["outcome"]["prosecuted"] else "",
            "Conviction date": e["outcome"]["convicted"].isoformat() if e["outcome"]["convicted"] else "",
            "Sentence": e["outcome"]["sentence"] or "",
            "Joint operation with": COUNTRY_EN.get(e["outcome"]["joint"], "") if e["outcome"]["joint"] else ""})
        if not rows[-1]["Unit"]:  # mixed units: write the unit with each quantity
            rows[-1]["Quantity"] = "; ".join(f"{q:g} {g[2]}" for g, q in e["goods"])
    return rows


def vn_rows(rng: random.Random, events: list[dict]) -> list[dict]:
    rows = []
    for e in events:
        people = e["people"]
        origin, transits, destination = e["route"]
        kg = [q if g[2] == "kg" else None for g, q in e["goods"]]
        pieces = [q if g[2] == "pieces" else None for g, q in e["goods"]]
        rows.append({
            "Số hồ sơ": f"VN-{e['date'].year}-{e['k']:04d}", "Ngày bắt giữ": e["date"].strftime("%d/%m/%Y"),
            "Cơ quan": e["agency"], "Nơi bắt giữ": e["place"], "Loài": "; ".join(g[0][1] for g in e["goods"]),
            "Khối lượng (kg)": "; ".join("" if v is None else f"{v:g}" for v in kg) if any(kg) else "",
            "Số lượng (cá thể)": "; ".join("" if v is None else f"{v:g}" for v in pieces) if any(pieces) else "",
            "Đối tượng": "; ".join(p["name"] for p in people),
            "Quốc tịch": "; ".join(COUNTRY_VI[p["nat"]] for p in people),
            "Số điện thoại": "; ".join(", ".join(p["phones"]) for p in people),
            "Công ty": "; ".join(p["employer"] or "" for p in people) if any(p["employer"] for p in people) else "",
            "Giám đốc công ty": "; ".join(p["directs"] or "" for p in people) if any(p["directs"] for p in people)
            else "",
            "Biển kiểm soát": e["vehicle"] or "",
            "Phương tiện": {"sea": "Đường biển", "air": "Đường hàng không", "road": "Đường bộ"}[e["mode"]],
            "Tuyến đường": " – ".join([origin, *transits, destination]),
            "Đánh giá": f"{e['reliability']}{e['validity']}", "Mã xử lý": e["handling"],
            "Số người bị bắt": e["outcome"]["arrested"],
            "Ngày khởi tố": e["outcome"]["prosecuted"].strftime("%d/%m/%Y") if e["outcome"]["prosecuted"] else "",
            "Ngày xét xử": e["outcome"]["convicted"].strftime("%d/%m/%Y") if e["outcome"]["convicted"] else "",
            "Mức án": (e["outcome"]["sentence"] or "").replace("years", "năm"),
            "Phối hợp với": COUNTRY_VI.get(e["outcome"]["joint"], "") if e["outcome"]["joint"] else ""})
    return rows


PARTNER = {"VN": "CN", "CN": "VN", "LA": "VN", "TH": "MY", "MY": "TH", "NG": "VN", "MZ": "VN", "QA": "VN",
           "SG": "VN", "ET": "VN", "KE": "TH"}


def outcomes(rng: random.Random, event: dict) -> dict:
    """What followed a seizure: arrests, prosecution, conviction, and whether another country worked the case."""
    out = {"arrested": 0, "prosecuted": None, "convicted": None, "sentence": None, "joint": None}
    if rng.random() < 0.75:
        out["arrested"] = rng.randint(1, len(event["people"]))
        if rng.random() < 0.55:
            out["prosecuted"] = event["date"] + dt.timedelta(days=rng.randint(20, 200))
            if rng.random() < 0.6:
                out["convicted"] = out["prosecuted"] + dt.timedelta(days=rng.randint(60, 420))
                out["sentence"] = f"{rng.choice([1, 2, 3, 5, 7, 10, 12])} years"
    if rng.random() < 0.2:
        out["joint"] = PARTNER.get(event["country"])
    return out


def spoil(rows: list[dict], date_col: str, qty_col: str, bad_date: str) -> None:
    """Plant the three mistakes real exports carry, in fixed rows."""
    with_qty = [r for r in rows if r[qty_col].split(";")[0].strip()]
    rows[17][date_col] = bad_date
    with_qty[40][qty_col] = "-" + with_qty[40][qty_col].split(";")[0].strip()
    with_qty[80][qty_col] = with_qty[80][qty_col].split(";")[0].strip().split(" ")[0] + " bags"


def main() -> None:
    rng = random.Random(SEED)
    brokers = build_people(rng)
    events = list(seizures(rng, brokers, 420))
    cen_events = [e for e in events if e["country"] != "VN" or rng.random() < 0.45]
    vn_events = [e for e in events if e["country"] == "VN" and e not in cen_events or
                 (e["country"] == "VN" and rng.random() < 0.3)]
    follow = random.Random(SEED + 1)  # a stream of its own: adding outcomes changed nothing else
    for event in events:
        event["outcome"] = outcomes(follow, event)
    cen = cen_rows(rng, cen_events)
    spoil(cen, "Date of seizure", "Quantity", "2021-02-30")
    pd.DataFrame(cen).to_csv(HERE / "cen_customs_sample.csv", index=False)
    (HERE / "cen_customs_sample.json").write_text(
        json.dumps({"records": cen[:40]}, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    vn = vn_rows(rng, vn_events)
    spoil(vn, "Ngày bắt giữ", "Khối lượng (kg)", "31/04/2022")
    pd.DataFrame(vn).to_excel(HERE / "vn_agency_sample.xlsx", index=False, sheet_name="Bắt giữ")
    print(f"{len(cen)} CEN rows, {len(vn)} Vietnamese agency rows, "
          f"{sum(g.size for g in GROUPS) + len(brokers)} people")


if __name__ == "__main__":
    main()
