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


# Surname shares (percent of the population) for the namesake-realistic generator: Vietnamese from Lê Trung
# Hoa's survey as cited by Wikipedia's "Vietnamese name" (Hoàng there counts Huỳnh, Vũ counts Võ; Đinh is not in
# that list and gets its smallest share); Chinese approximately as in the Ministry of Public Security's 2020
# household-registration name report. Given names follow Zipf's law over the pools above (rank r drawn with
# weight 1/r): an assumption, not a measured distribution.
VN_FAMILY_SHARE = [38.4, 11.0, 9.5, 7.1, 5.1, 3.9, 2.1, 2.0, 1.4, 1.3, 1.3, 1.0, 0.5]
CN_FAMILY_SHARE = [7.1, 7.0, 6.6, 5.4, 4.6, 3.1, 2.6, 2.3, 2.1, 2.1]


def _draw(rng: random.Random, pool: list, shares: list[float] | None, realistic: bool):
    """One of ``pool``: uniformly, or (``realistic``) by ``shares``, else by Zipf's law."""
    if not realistic:
        return rng.choice(pool)
    return rng.choices(pool, shares or [1 / rank for rank in range(1, len(pool) + 1)])[0]


def _person(rng: random.Random, nat: str, realistic: bool = False):
    """(canonical name, list of spellings) for one invented person; ``realistic`` draws names by their
    frequencies (VN_FAMILY_SHARE …) instead of uniformly."""
    hanviet = {v: k for k, v in _han_viet().items()}
    if nat == "VN":  # half the people have a two-syllable given name (Nguyễn Văn Hùng Anh)
        parts = [_draw(rng, VN_FAMILY, VN_FAMILY_SHARE, realistic), _draw(rng, VN_MIDDLE, None, realistic),
                 _draw(rng, VN_GIVEN, None, realistic)]
        if rng.random() < 0.5:
            parts.append(_draw(rng, VN_GIVEN, None, realistic))
        name = " ".join(parts)
        ways = [name, _ascii_upper(name), " ".join(parts[2:] + parts[:2]), _typo(rng, _ascii_upper(name).title())]
        if all(any(k.lower() == p.lower() for k in hanviet) for p in parts):
            table = {k.lower(): v for k, v in hanviet.items()}
            ways.append("".join(table[p.lower()] for p in parts))
        return name, ways
    if nat == "CN":  # half the people have a two-character given name (Wang Weijun)
        family, given = _draw(rng, CN_NAMES, CN_FAMILY_SHARE, realistic), [_draw(rng, CN_GIVEN, None, realistic)]
        if rng.random() < 0.5:
            given.append(_draw(rng, CN_GIVEN, None, realistic))
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
    """(feature rows of every mention, the true person of each) — see the module doc. ``realistic``: names
    drawn by their frequencies, namesakes as they fall (for benchmarks at scale), not a name of its own per
    person while the pools last."""
    rng = random.Random(seed)
    rows, truth, used = [], [], set()
    reserved = {f"Nguyễn Văn {VN_GIVEN[case % len(VN_GIVEN)]}" for case in range(hard_cases)}
    for person in range(people):
        nat = rng.choices(["VN", "CN", "NG", "TH", "MZ", "LA", "MY"], [5, 2, 1, 1, 1, 1, 1])[0]
        canonical, ways = _person(rng, nat, realistic)
        for _ in range(0 if realistic else 50):  # a name of its own while the pools last; then namesakes
            if canonical not in used and canonical not in reserved:
                break
            canonical, ways = _person(rng, nat, realistic)
        while canonical in reserved:  # the hard cases below are the only planted namesakes of theirs
            canonical, ways = _person(rng, nat, realistic)
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
