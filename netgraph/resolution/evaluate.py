"""A labelled evaluation set for entity resolution, and the measures to score a resolution against it.

Generated from a seed: Vietnamese people written with and without diacritics, in upper case, family name
last, with a typo, or in hanzi read in Sino-Vietnamese (阮文雄); Chinese people in pinyin, simplified and
traditional hanzi and either name order; others with case and typo variants; one phone written three ways
(0912 345 678, +84912345678, 84-912-345-678). Hard cases are added on purpose: different people with the
same common name, some told apart by birth date, some by nothing but their phones.

>>> rows, truth = evaluation_set(people=50, seed=1)
>>> len(rows) == len(truth) > 100
True

``traditions_set`` adds people of the naming traditions traffickers across Africa, the Gulf and South-East
Asia have, each written by stated rules (see ``TRADITION_RULES``), half their mentions without a nationality,
plus hard namesakes of each tradition (brothers, siblings sharing a generation name, a Somali father and son),
and says each mention's tradition so that precision and recall can be read per tradition:

>>> rows, truth, tradition = traditions_set(per_tradition=5, seed=1)
>>> sorted(tradition.unique())[:3]
['Arabic', 'Chinese (Cantonese, Hokkien, Wade-Giles)', 'East African']
"""
from __future__ import annotations

import random
from functools import cache

import pandas as pd
from sklearn.metrics import adjusted_rand_score

from .linkage import features
from .normalize import _han_viet, _s2t

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

def _ascii_upper(name: str) -> str:
    import unicodedata
    folded = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in folded if not unicodedata.combining(c)).upper()


def _typo(rng: random.Random, name: str) -> str:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = rng.choice(letters[1:])  # never the first letter
    return name[:i] + rng.choice("aeioumnrt") + name[i + 1:]


def _mobile(nat: str, digits: str) -> str:
    """A valid mobile number of ``nat`` (E.164) ending in ``digits``: the region's example mobile number
    (phonenumbers) with its last digits replaced, as few as it takes to stay valid. (Numbers of the right
    length: the first generator's were a digit or two short, so normalisation dropped nearly all of them.)"""
    import phonenumbers

    example = phonenumbers.example_number_for_type(nat, phonenumbers.PhoneNumberType.MOBILE)
    national = phonenumbers.national_significant_number(example)
    for keep in range(len(digits), 0, -1):
        number = f"+{example.country_code}{national[:len(national) - keep]}{digits[-keep:]}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number
    return f"+{example.country_code}{national}"


def _phone_ways(rng: random.Random, nat: str, digits: str) -> list[str]:
    """One mobile number written three ways: national (0912 345 678), E.164 and code-dashed (84-912-345-678)."""
    import phonenumbers

    number = phonenumbers.parse(_mobile(nat, digits))
    national = phonenumbers.national_significant_number(number)
    return [phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            f"{number.country_code}-{national[:3]}-{national[3:6]}-{national[6:]}"]


# The namesake-realistic generator (``realistic=True``, for benchmarks at scale) draws Vietnamese and Chinese
# people only: theirs are the surname distributions published. Surname shares (percent of the population):
# Vietnamese from Lê Trung Hoa's survey as cited by Wikipedia's "Vietnamese name" (Hoàng there counts Huỳnh,
# Vũ counts Võ), the rest of the population (14.4%) spread evenly over 30 less common surnames; Chinese
# approximately as in the Ministry of Public Security's 2020 household-registration name report (the 20 most
# common), the rest (about 55%) spread evenly over 40 others. No published frequencies of given names are at
# hand (names-dataset on PyPI has ranks from social-network profiles, not counts), so given names are real
# names drawn by Zipf's law over the lists below (rank r with weight 1/r), middle names by stated weights
# (Văn for most men, Thị for most women): assumptions, not measurements.
VN_FAMILY_SHARE = {"Nguyễn": 38.4, "Trần": 11.0, "Lê": 9.5, "Phạm": 7.1, "Hoàng": 5.1, "Phan": 4.5, "Vũ": 3.9,
                   "Đặng": 2.1, "Bùi": 2.0, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1.0, "Lý": 0.5}
VN_FAMILY_RARE = ["Trương", "Đinh", "Lâm", "Mai", "Đào", "Cao", "Hà", "Lương", "Tô", "Tạ", "Quách", "Chu", "Lưu",
                  "Vương", "La", "Kiều", "Thái", "Triệu", "Đoàn", "Phùng", "Trịnh", "Hứa", "Tăng", "Thân", "Từ",
                  "Nghiêm", "Lục", "Doãn", "Khúc", "Văn"]
VN_MIDDLE_MEN = {"Văn": 45, "Đức": 8, "Minh": 8, "Quang": 6, "Hữu": 6, "Thanh": 5, "Ngọc": 4, "Xuân": 4,
                 "Công": 4, "Quốc": 4, "Mạnh": 3, "Tiến": 3}
VN_MIDDLE_WOMEN = {"Thị": 55, "Ngọc": 8, "Thu": 6, "Thanh": 5, "Minh": 5, "Hồng": 5, "Kim": 4, "Phương": 4,
                   "Thúy": 4, "Bích": 4}
VN_GIVEN_MEN = ["Hùng", "Tuấn", "Dũng", "Sơn", "Long", "Hải", "Minh", "Nam", "Cường", "Thành", "Hiếu", "Huy", "Trung",
                "Thắng", "Tùng", "Phong", "Bình", "Khánh", "Việt", "Quân", "Duy", "Vinh", "Phúc", "Thịnh", "Tài",
                "Toàn", "Lâm", "Hưng", "Kiên", "Khoa", "Đạt", "Lộc", "Nghĩa", "Hậu", "Phát", "Tiến", "Quang",
                "Bảo", "Hào", "Thái", "Trí", "Nhân", "Lực", "Sang", "Tú", "Hiệp", "Cảnh", "Định", "Thọ", "Hòa",
                "Tín", "Công", "Quốc", "Tâm", "An", "Đông", "Giang", "Hoàng", "Kha", "Luân"]
VN_GIVEN_WOMEN = ["Lan", "Hương", "Mai", "Thảo", "Trang", "Hà", "Linh", "Ngọc", "Hoa", "Hằng", "Huyền", "Nga", "Thủy",
                  "Nhung", "Phương", "Yến", "Dung", "Hạnh", "Loan", "Oanh", "Vân", "Anh", "Nhi", "Trinh", "Thu",
                  "Xuân", "Hiền", "Thư", "Quỳnh", "Uyên", "Vy", "Chi", "Giang", "Hồng", "Liên", "Duyên", "Tâm", "Ly",
                  "My", "Ngân", "Thanh", "Diệp", "Tuyết", "Hạ", "Kiều", "Cúc", "Lệ", "Bích", "Châu", "Tú"]
CN_FAMILY_SHARE = {"王": 7.1, "李": 7.0, "张": 6.6, "刘": 5.4, "陈": 4.6, "杨": 3.1, "黄": 2.6, "赵": 2.3, "吴": 2.1,
                   "周": 2.1, "徐": 1.7, "孙": 1.5, "马": 1.5, "朱": 1.3, "胡": 1.2, "郭": 1.1, "何": 1.0, "林": 1.0,
                   "高": 1.0, "罗": 0.9}
CN_FAMILY_RARE = list("梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范")
CN_GIVEN_CHARS = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚英华玉萍红建文辉力斌宇浩鹏飞鑫波宁琳雪婷丹晨阳欣颖慧俊峰"
                      "海林龙亮成东云凯晶燕梅志国金春兰秀")


def _zipf(pool: list) -> list[float]:
    return [1 / rank for rank in range(1, len(pool) + 1)]


@cache
def _realistic_pools() -> dict:
    """Names and weights of the namesake-realistic generator, with each Chinese character's traditional form
    (OpenCC) and pinyin (pypinyin)."""
    from pypinyin import lazy_pinyin

    def shares(table: dict, rare: list, total: float = 100.0) -> tuple[list, list]:
        rest = (total - sum(table.values())) / len(rare)
        return list(table) + rare, list(table.values()) + [rest] * len(rare)
    vn_family, cn_family = shares(VN_FAMILY_SHARE, VN_FAMILY_RARE), shares(CN_FAMILY_SHARE, CN_FAMILY_RARE)
    cn = lambda c: (c, _s2t().convert(c), lazy_pinyin(c)[0].title())  # noqa: E731
    return {"vn_family": vn_family, "cn_family": ([cn(c) for c in cn_family[0]], cn_family[1]),
            "cn_given": ([cn(c) for c in CN_GIVEN_CHARS], _zipf(CN_GIVEN_CHARS)),
            "vn_hanzi": {k.lower(): v for v, k in _han_viet().items()}}


def _realistic_person(rng: random.Random, nat: str) -> tuple[str, list[str]]:
    """(canonical name, spellings) of a Vietnamese or Chinese person drawn by the frequencies above: a quarter of
    the Vietnamese have a two-syllable given name, 30% of the Chinese a one-character one (张伟)."""
    pools = _realistic_pools()
    if nat == "VN":
        middle, given = (VN_MIDDLE_MEN, VN_GIVEN_MEN) if rng.random() < 0.5 else (VN_MIDDLE_WOMEN, VN_GIVEN_WOMEN)
        parts = [rng.choices(*pools["vn_family"])[0], rng.choices(list(middle), list(middle.values()))[0],
                 *rng.choices(given, _zipf(given), k=2 if rng.random() < 0.25 else 1)]
        name = " ".join(parts)
        ways = [name, _ascii_upper(name), " ".join(parts[2:] + parts[:2]), _typo(rng, _ascii_upper(name).title())]
        if all(p.lower() in pools["vn_hanzi"] for p in parts):
            ways.append("".join(pools["vn_hanzi"][p.lower()] for p in parts))
        return name, ways
    family = rng.choices(*pools["cn_family"])[0]
    given = rng.choices(*pools["cn_given"], k=1 if rng.random() < 0.3 else 2)
    latin = given[0][2] + "".join(g[2].lower() for g in given[1:])
    name = f"{family[2]} {latin}"
    return name, [name, family[0] + "".join(g[0] for g in given), family[1] + "".join(g[1] for g in given),
                  f"{latin} {family[2]}", name.upper()]


def _person(rng: random.Random, nat: str):
    """(canonical name, list of spellings) for one invented person, names drawn uniformly from the pools."""
    hanviet = {v: k for k, v in _han_viet().items()}
    if nat == "VN":  # half the people have a two-syllable given name (Nguyễn Văn Hùng Anh)
        parts = [rng.choice(VN_FAMILY), rng.choice(VN_MIDDLE),
                 rng.choice(VN_GIVEN)]
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


def evaluation_set(people: int = 300, seed: int = 0, hard_cases: int = 10, realistic: bool = False
                   ) -> tuple[pd.DataFrame, pd.Series]:
    """(feature rows of every mention, the true person of each) — see the module doc. ``realistic``: Vietnamese
    and Chinese people with names drawn by their frequencies (``VN_FAMILY_SHARE`` …), namesakes as they fall
    (for benchmarks at scale), not a name of its own per person while the pools last."""
    rng = random.Random(seed)
    rows, truth, used = [], [], set()
    reserved = {f"Nguyễn Văn {VN_GIVEN[case % len(VN_GIVEN)]}" for case in range(hard_cases)}
    for person in range(people):
        if realistic:  # namesakes as they fall, the planted ones too
            nat = rng.choices(["VN", "CN"], [5, 2])[0]
            canonical, ways = _realistic_person(rng, nat)
        else:
            nat = rng.choices(["VN", "CN", "NG", "TH", "MZ", "LA", "MY"], [5, 2, 1, 1, 1, 1, 1])[0]
            canonical, ways = _person(rng, nat)
            for _ in range(50):  # a name of its own while the pools last; then namesakes
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


# --- traditions beyond Vietnamese and Mandarin -----------------------------------------------------------
ARABIC_GIVEN = {"Muhammad": ["Mohammed", "Mohamed", "Muhammad", "Mohamad"], "Ahmad": ["Ahmed", "Ahmad"],
                "Husayn": ["Hussein", "Husain", "Hussain"], "Yusuf": ["Youssef", "Yusuf", "Yousef"],
                "Khalid": ["Khalid", "Khaled"], "Walid": ["Walid", "Waleed"], "Wail": ["Wail"],
                "Umar": ["Omar", "Umar"], "Usama": ["Osama", "Usama"], "Nabil": ["Nabil", "Nabeel"],
                "Jamal": ["Jamal", "Djamal"], "Tariq": ["Tariq", "Tarek"], "Said": ["Said", "Saeed"],
                "Majid": ["Majid", "Majed"], "Faysal": ["Faisal", "Faysal"], "Hamza": ["Hamza"],
                "Salim": ["Salim", "Salem"], "Raid": ["Raed", "Raid"], "Ziyad": ["Ziad", "Ziyad"],
                "Ibrahim": ["Ibrahim", "Ebrahim"], "Mustafa": ["Mustafa", "Mostafa", "Mustapha"],
                "Abd al-Aziz": ["Abdul Aziz", "Abdulaziz", "Abd al-Aziz", "Abdelaziz"],
                "Abd Allah": ["Abdullah", "Abdallah", "Abd Allah"],
                "Abd al-Rahman": ["Abdul Rahman", "Abdulrahman", "Abd al-Rahman", "Abderrahmane"]}
ARABIC_FAMILY = ["Marabh", "Shehri", "Ghamdi", "Hazmi", "Omari", "Zahrani", "Qahtani", "Mutairi", "Otaibi", "Harbi",
                 "Dosari", "Shamrani", "Amri", "Maliki", "Hashimi", "Masri", "Tamimi", "Rashidi", "Saadi", "Jabouri",
                 "Obeidi", "Khatib", "Haddad", "Najjar", "Kuwari", "Mansouri", "Shamsi", "Suwaidi", "Falasi"]
CN_DIALECT_SURNAMES = [("黄", "Wong", "Ng"), ("陈", "Chan", "Tan"), ("林", "Lam", "Lim"), ("李", "Lee", "Lee"),
                       ("张", "Cheung", "Teo"), ("王", "Wong", "Ong"), ("吴", "Ng", "Goh"), ("刘", "Lau", "Low"),
                       ("杨", "Yeung", "Yeo"), ("郑", "Cheng", "Tay"), ("梁", "Leung", "Neo"), ("谢", "Tse", "Chia"),
                       ("郭", "Kwok", "Quek"), ("蔡", "Choi", "Chua"), ("叶", "Yip", "Yap"), ("许", "Hui", "Koh")]
TH_NAMES = {"Somchai": "สมชาย", "Kittisak": "กิตติศักดิ์", "Malee": "มาลี", "Sompong": "สมปอง", "Wanida": "วนิดา",
            "Pornthip": "พรทิพย์", "Boonmee": "บุญมี", "Srisuk": "ศรีสุข", "Saelim": "แซ่ลิ้ม", "Kaewkla": "แก้วกล้า",
            "Suksawat": "สุขสวัสดิ์", "Wongsawat": "วงศ์สวัสดิ์", "Rattanakul": "รัตนกุล", "Chaiyaporn": "ชัยพร",
            "Jaidee": "ใจดี", "Kittipong": "กิตติพงษ์", "Sunisa": "สุนิสา", "Prasert": "ประเสริฐ",
            "Siriporn": "ศิริพร", "Nattapong": "ณัฐพงศ์", "Thongdee": "ทองดี", "Sukprasert": "สุขประเสริฐ"}
TH_GIVEN = ["Somchai", "Kittisak", "Malee", "Sompong", "Wanida", "Pornthip", "Kittipong", "Sunisa", "Prasert",
            "Siriporn", "Nattapong"]
LA_NAMES = {"Bounmy": "ບຸນມີ", "Khamla": "ຄຳລາ", "Somphone": "ສົມພອນ", "Vilay": "ວິໄລ", "Souksavanh": "ສຸກສະຫວັນ",
            "Phonsavanh": "ໂພນສະຫວັນ", "Phommachanh": "ພົມມະຈັນ", "Vongsa": "ວົງສາ", "Sisouphanh": "ສີສຸພັນ",
            "Inthavong": "ອິນທະວົງ", "Luangrath": "ຫຼວງຣາດ", "Chanthala": "ຈັນທະລາ", "Keomany": "ແກ້ວມະນີ",
            "Sengdao": "ແສງດາວ", "Bouasone": "ບົວສອນ", "Khampheng": "ຄຳແພງ", "Thongsavanh": "ທອງສະຫວັນ",
            "Douangphachanh": "ດວງພະຈັນ", "Sayavong": "ໄຊຍະວົງ"}
LA_GIVEN = ["Bounmy", "Khamla", "Somphone", "Vilay", "Souksavanh", "Phonsavanh", "Sengdao", "Bouasone", "Khampheng",
            "Thongsavanh"]
NG_GIVEN = {"Chukwuemeka": "Emeka", "Ifeanyichukwu": "Ifeanyi", "Kelechukwu": "Kelechi", "Oluwaseun": "Seun",
            "Oluwatobi": "Tobi", "Adebayo": "Bayo", "Olatunde": "Tunde", "Oluwafemi": "Femi", "Adewale": "Wale",
            "Nkechinyere": "Nkechi", "Chinedu": None, "Obinna": None, "Aminu": None, "Sani": None, "Garba": None}
NG_FAMILY = ["Okafor", "Eze", "Nwosu", "Okonkwo", "Chukwu", "Adeyemi", "Balogun", "Ogunleye", "Adebayo", "Bello",
             "Abubakar", "Danjuma", "Okoro", "Nwachukwu", "Olaniyan", "Ibekwe", "Onyekachi", "Oyelaran"]
EA_CHRISTIAN = ["John", "Peter", "Joseph", "Mary", "Grace", "James", "Samuel", "Esther", "Daniel", "Faith"]
EA_GIVEN = ["Kamau", "Wanjiru", "Otieno", "Achieng", "Mwangi", "Njoroge", "Kiprono", "Chebet", "Wafula", "Nyambura",
            "Baraka", "Juma", "Rehema", "Mussa", "Halima", "Omondi", "Atieno", "Kariuki", "Muthoni", "Kimani"]
SO_GIVEN = {"Abdi": "Cabdi", "Hassan": "Xasan", "Mohamed": "Maxamed", "Ali": "Cali", "Omar": "Cumar",
            "Yusuf": "Yuusuf", "Ahmed": "Axmed", "Ibrahim": "Ibraahim", "Hussein": "Xuseen", "Abdullahi": None,
            "Farah": None, "Warsame": None, "Jama": None, "Aden": None, "Osman": None, "Nur": None}
TRADITION_RULES = {
    "Arabic": "given [bin father] al-Family; spelled with the article as al-X, Al X, AlX or El-X, the given "
              "name in another transliteration (Mohammed/Muhammad, Abdulaziz/Abd al-Aziz), upper case, a typo",
    "Chinese (Cantonese, Hokkien, Wade-Giles)": "hanzi (simplified and traditional), pinyin, Wade-Giles "
              "(given syllables hyphenated), Hong Kong Cantonese (each character's usual spelling), a Hokkien "
              "surname with a pinyin given name (Tan Wei Jun), given name first",
    "Thai": "Thai script, the passport spelling, family name first in upper case, a typo",
    "Lao": "Lao script, the passport spelling, family name first in upper case, a typo",
    "Nigerian": "given [middle] family; the short form of the given name (Emeka for Chukwuemeka), the middle "
                "name left out, a title (Alhaji, Chief), family name first in upper case, a typo",
    "East African": "Kenyan: Christian name, own name, father's or family name, the Christian name left out; "
                    "Somali: own, father's and grandfather's names, in Somali orthography (Maxamed Xasan) or "
                    "English (Mohamed Hassan); either in upper case, with a typo",
}
HARD_RULES = {
    "Arabic": "brothers: same father's and family names, given names Wail and Walid, Hamza and Ahmad",
    "Chinese (Cantonese, Hokkien, Wade-Giles)": "siblings sharing surname and generation name (陈伟军, 陈伟明)",
    "Thai": "siblings sharing the family name", "Lao": "siblings sharing the family name",
    "Nigerian": "brothers sharing middle and family names",
    "East African": "a Somali father and son (the son's second and third names are his father's first two)",
}


def _arabic(rng: random.Random) -> tuple[str, list[str]]:
    given, father = rng.sample(list(ARABIC_GIVEN), 2)
    family = rng.choice(ARABIC_FAMILY)
    return _arabic_ways(rng, given, father if rng.random() < 0.4 else None, family)


def _arabic_ways(rng: random.Random, given: str, father: str | None, family: str) -> tuple[str, list[str]]:
    def spelled(article: str, first: str) -> str:
        return " ".join([first] + ([f"bin {ARABIC_GIVEN[father][0]}"] if father else []) + [article + family])
    name = spelled("al-", ARABIC_GIVEN[given][0])
    ways = [spelled(rng.choice(["Al ", "Al", "El-", "al "]), ARABIC_GIVEN[given][0]),
            spelled("al-", rng.choice(ARABIC_GIVEN[given])), spelled("Al", rng.choice(ARABIC_GIVEN[given])).upper(),
            _typo(rng, spelled("al-", ARABIC_GIVEN[given][0]))]
    return name, ways


def _cn_dialect(rng: random.Random, family=None, first=None) -> tuple[str, list[str]]:
    from cantoroman import Cantonese
    from pypinyin import Style, lazy_pinyin

    family = family or rng.choice(CN_DIALECT_SURNAMES)
    given = [first or rng.choice(CN_GIVEN), rng.choice(CN_GIVEN)]
    hanzi = family[0] + "".join(g[0] for g in given)
    traditional = family[0] + "".join(g[1] for g in given)
    pinyin = [g[2] for g in given]
    wade = [w.replace("v", "ü") for w in lazy_pinyin("".join(g[0] for g in given), style=Style.WADEGILES)]
    canto = [Cantonese().getRoman(_s2t().convert(g[0]))[0][0].title() for g in given]
    name = f"{lazy_pinyin(family[0])[0].title()} {pinyin[0]}{pinyin[1].lower()}"
    ways = [_s2t().convert(traditional) if traditional == hanzi else traditional, hanzi,
            f"{lazy_pinyin(family[0], style=Style.WADEGILES)[0].capitalize()} {'-'.join(wade).capitalize()}",
            f"{family[1]} {' '.join(canto)}", f"{' '.join(canto)} {family[1]}", f"{family[2]} {' '.join(pinyin)}"]
    return name, ways


def _script_ways(rng: random.Random, script: dict[str, str], given: str, family: str) -> tuple[str, list[str]]:
    name = f"{given} {family}"
    return name, [f"{script[given]} {script[family]}", f"{family.upper()} {given}", name.upper(), _typo(rng, name)]


def _nigerian(rng: random.Random, family=None, middle=None) -> tuple[str, list[str]]:
    given = rng.choice([g for g in NG_GIVEN if g != middle])
    middle = middle or rng.choice([g for g in NG_GIVEN if g != given])
    family = family or rng.choice(NG_FAMILY)
    name = f"{given} {middle} {family}"
    short = NG_GIVEN[given] or given
    return name, [f"{short} {middle} {family}", f"{given} {family}", f"{rng.choice(['Alhaji', 'Chief'])} {name}",
                  f"{family.upper()} {given} {middle}", _typo(rng, name)]


def _east_african(rng: random.Random) -> tuple[str, list[str]]:
    if rng.random() < 0.5:
        christian, own, family = rng.choice(EA_CHRISTIAN), *rng.sample(EA_GIVEN, 2)
        name = f"{christian} {own} {family}"
        return name, [f"{own} {family}", f"{family.upper()} {christian} {own}", name.upper(), _typo(rng, name)]
    return _somali(rng, rng.sample(list(SO_GIVEN), 3))


def _somali(rng: random.Random, names: list[str]) -> tuple[str, list[str]]:
    name = " ".join(names)
    somali = " ".join(SO_GIVEN[n] or n for n in names)
    return name, [somali, name.upper(), somali.upper(), _typo(rng, name)]


def traditions_set(per_tradition: int = 40, seed: int = 0, hard_cases: int = 4
                   ) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(feature rows, the true person of each mention, its tradition) for ``per_tradition`` people of each
    tradition in ``TRADITION_RULES`` and ``hard_cases`` pairs of namesakes per tradition (``HARD_RULES``).
    Each mention has a phone 70% of the time and a nationality half the time."""
    rng = random.Random(seed)
    nationality = {"Arabic": ["SA", "AE", "EG", "YE"], "Chinese (Cantonese, Hokkien, Wade-Giles)": ["HK", "MY", "SG"],
                   "Thai": ["TH"], "Lao": ["LA"], "Nigerian": ["NG"], "East African": ["KE", "SO", "TZ"]}
    people = []  # (tradition, canonical name, spellings)
    for tradition in TRADITION_RULES:
        used: set[str] = set()
        for _ in range(per_tradition):
            for _ in range(50):
                name, ways = _tradition_person(rng, tradition)
                if not _name_keys(name, ways) & used:
                    break
            used |= _name_keys(name, ways)
            people.append((tradition, name, ways))
        for case in range(hard_cases):  # namesakes of each other, and of nobody else
            for _ in range(50):
                pair = _namesakes(rng, tradition, case)
                keys = _name_keys(*pair[0]) | _name_keys(*pair[1])
                if not keys & used:
                    break
            used |= keys
            people.extend((tradition, name, ways) for name, ways in pair)
    rows, truth, traditions = [], [], []
    for person, (tradition, name, ways) in enumerate(people):
        nat = rng.choice(nationality[tradition])
        digits = "".join(str(rng.randint(0, 9)) for _ in range(7))
        phone = _mobile(nat, digits)
        for k in range(rng.randint(2, 4)):
            rows.append({"id": f"t{len(rows):06d}", "name": name if k == 0 else rng.choice(ways),
                         "nationality": nat if rng.random() < 0.5 else None, "passport": None, "birth_date": None,
                         "phones": [phone] if rng.random() < 0.7 else []})
            truth.append(person)
            traditions.append(tradition)
    ids = [r["id"] for r in rows]
    frame = pd.DataFrame(rows).assign(sources=lambda f: [[i] for i in f["id"]])
    return features(frame), pd.Series(truth, index=ids), pd.Series(traditions, index=ids)


def _name_keys(name: str, ways: list[str]) -> set[str]:
    """What makes two generated people namesakes: a spelling with the same words in any order, or the same
    first and last words (a middle name is left out in some spellings)."""
    words = name.split()
    return {" ".join(sorted(w.lower().split())) for w in [name, *ways]} | {f"{words[0]} {words[-1]}"}


def _tradition_person(rng: random.Random, tradition: str) -> tuple[str, list[str]]:
    if tradition == "Arabic":
        return _arabic(rng)
    if tradition.startswith("Chinese"):
        return _cn_dialect(rng)
    if tradition == "Thai":
        return _script_ways(rng, TH_NAMES, rng.choice(TH_GIVEN), rng.choice([n for n in TH_NAMES if n not in TH_GIVEN]))
    if tradition == "Lao":
        return _script_ways(rng, LA_NAMES, rng.choice(LA_GIVEN), rng.choice([n for n in LA_NAMES if n not in LA_GIVEN]))
    if tradition == "Nigerian":
        return _nigerian(rng)
    return _east_african(rng)


def _namesakes(rng: random.Random, tradition: str, case: int) -> list[tuple[str, list[str]]]:
    """Two different people whose names share most of their words (``HARD_RULES``)."""
    if tradition == "Arabic":
        first, second = [("Wail", "Walid"), ("Hamza", "Ahmad")][case % 2]
        father, family = rng.choice(list(ARABIC_GIVEN)), rng.choice(ARABIC_FAMILY)
        return [_arabic_ways(rng, first, father, family), _arabic_ways(rng, second, father, family)]
    if tradition.startswith("Chinese"):
        family, (a, b) = rng.choice(CN_DIALECT_SURNAMES), rng.sample(CN_GIVEN, 2)
        return [_cn_dialect(rng, family, a), _cn_dialect(rng, family, b)]
    if tradition in ("Thai", "Lao"):
        script, givens = (TH_NAMES, TH_GIVEN) if tradition == "Thai" else (LA_NAMES, LA_GIVEN)
        family = rng.choice([n for n in script if n not in givens])
        return [_script_ways(rng, script, given, family) for given in rng.sample(givens, 2)]
    if tradition == "Nigerian":
        family, middle = rng.choice(NG_FAMILY), rng.choice(list(NG_GIVEN))
        return [_nigerian(rng, family, middle), _nigerian(rng, family, middle)]
    father = rng.sample(list(SO_GIVEN), 3)
    son = [rng.choice([n for n in SO_GIVEN if n not in father])] + father[:2]
    return [_somali(rng, father), _somali(rng, son)]


def pairwise_by(truth: pd.Series, predicted: pd.Series, group: pd.Series) -> pd.DataFrame:
    """``pairwise`` per group (e.g. tradition): a row per group, mentions and people counted."""
    rows = []
    for name, members in group.groupby(group):
        scores = pairwise(truth[members.index], predicted.reindex(members.index))
        rows.append({"group": name, "mentions": len(members), "people": truth[members.index].nunique(), **scores})
    return pd.DataFrame(rows)
