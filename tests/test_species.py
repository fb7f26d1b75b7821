"""Species and commodity normalisation (issue 14, part 3; issue 29, item 3): free text in English, Vietnamese
and Chinese → taxon, product and CITES appendix; typos, plurals, synonyms and abbreviations; the text kept as
written; unmatched text listed by ``netgraph info`` and never made a taxon; a value is right or visibly
uncertain. Real store, real C4ADS file, a labelled evaluation set."""
import runpy
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import netgraph as ng
from netgraph.cli import main
from netgraph.ingest import species, vocab

from .conftest import shared_file

C4ADS = ("seizures", "c4ads_air_seizures.csv")
BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "normalisation.py"


def write_cen(path, commodities: list[str], quantities: list[str] | None = None):
    """A CEN-style file with one seizure per commodity cell."""
    n = len(commodities)
    quantities = quantities or [""] * n
    pd.DataFrame({"Case ID": [f"S-{i}" for i in range(n)], "Date of seizure": ["2019-05-06"] * n,
                  "Country of seizure": ["China"] * n, "Commodity": commodities, "Quantity": quantities,
                  "Unit": ["kg" if q else "" for q in quantities]}).to_csv(path, index=False)
    return path


def seized(store) -> pd.DataFrame:
    """SEIZED ties with their commodity's taxon, product and appendix."""
    commodities = store.node_frame("Commodity").set_index("id")
    edges = store.edge_frame("SEIZED")
    return edges.join(commodities[["name", "taxon", "product", "cites_appendix"]], on="target")


# --- the failures quoted in the issue, first ---------------------------------------------------------------

def test_c4ads_file_seizures_get_a_taxon_and_free_text_makes_no_commodity(store, tmp_path):
    """Before: 267 Commodity nodes straight from free text ("African Grey Parrotw", …), 433 of 770 seizures
    (56%) with a taxon. Done when ≥ 95% of its seizures get a taxon."""
    report = ng.load_file(shared_file(*C4ADS), "c4ads_air", store, rejects_dir=tmp_path, progress=False)
    ties = seized(store)
    seizures = store.counts()["Seizure"]
    with_taxon = ties.loc[ties["taxon"].notna(), "source"].nunique()
    assert report.loaded == seizures and with_taxon / seizures >= 0.95, (with_taxon, seizures)
    commodities = store.node_frame("Commodity")
    assert len(commodities) < 267
    assert "African Grey Parrotw" not in set(commodities["name"])  # the typo reads as the species
    parrot = ties[ties["source"] == store.node_frame("Seizure").set_index("commodity_text").loc[
        "African Grey Parrotw", "id"]]
    assert parrot[["taxon", "product", "cites_appendix"]].values.tolist() == [["Psittacus erithacus", "live", "I"]]
    # whatever names no taxon is kept as written under commodity:unmatched:, never as a taxon of its own
    untaxed = commodities[commodities["taxon"].isna()]
    assert untaxed["id"].str.startswith("commodity:unmatched:").all()
    assert commodities["taxon"].dropna().isin(species.vocabulary()["taxa"]).all()


def test_c4ads_typical_texts_read_as_their_taxa(store, tmp_path):
    ng.load_file(shared_file(*C4ADS), "c4ads_air", store, rejects_dir=tmp_path, progress=False)
    written = store.node_frame("Seizure").set_index("id")["commodity_text"].str.split(";")
    taxa = seized(store).groupby("source")["taxon"].agg(lambda t: set(t.dropna()))
    expected = {"Indian Star Tortoises": "Geochelone elegans", "Black Pond Turtles": "Geoclemys hamiltonii",
                "Ploughshare Toirtoises": "Astrochelys yniphora", "Nightengales": "Luscinia megarhynchos",
                "Reticulated Python Gall Bladders": "Malayopython reticulatus", "Rhino Horn": "Rhinocerotidae",
                "Ivory": "Elephantidae", "Bird eggs": "Aves", "Pig-Nosed Turtles": "Carettochelys insculpta"}
    for text, taxon in expected.items():
        naming = written[written.map(lambda items: text in [i.strip() for i in items])].index
        assert len(naming) and all(taxon in taxa[s] for s in naming), text


@pytest.mark.parametrize("text, taxon, how", [
    ("M. tetradactyla", "Phataginus tetradactyla", "abbreviated"),  # was spelling-matched to Manis pentadactyla
    ("M. gigantea", "Smutsia gigantea", "abbreviated"),  # was unmatched though Manis gigantea is known
    ("M. gigantean", "Smutsia gigantea", "spelling-corrected"),  # one edit from M. gigantea and no other species
])
def test_abbreviated_pangolins_of_issue_29(text, taxon, how):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.how, ref.cites) == (taxon, how, "I"), ref


@pytest.mark.parametrize("text", ["Manis javanica", "manis javanica", "M. javanica", "Sunda pangolins", "tê tê Java",
                                  "马来穿山甲", "Malayan pangolin"])
def test_manis_javanica_is_a_pangolin(text):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.product, ref.cites) == ("Manis javanica", "live", "I")
    assert ref.key == "commodity:manis javanica|live"


@pytest.mark.parametrize("text, taxon", [
    ("Manis pentadactyla", "Manis pentadactyla"), ("Chinese pangolin", "Manis pentadactyla"),
    ("中华穿山甲", "Manis pentadactyla"), ("Phataginus tricuspis", "Phataginus tricuspis"),
    ("white-bellied pangolins", "Phataginus tricuspis"), ("Smutsia gigantea", "Smutsia gigantea"),
    ("Manis crassicaudata", "Manis crassicaudata"), ("pangolin", "Manis spp.")])
def test_pangolins_by_species(text, taxon):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.cites) == (taxon, "I")


def test_product_words_alone_take_the_taxon_of_their_cell_and_make_no_commodity(store, tmp_path):
    """Before: "live;", "frozen", "parts" became commodities of their own."""
    path = write_cen(tmp_path / "court.csv", ["Manis javanica; live; frozen; parts", "frozen; Manis pentadactyla",
                                              "frozen"])
    ng.load_file(path, "cen_customs", store, progress=False)
    ties = seized(store).set_index("source")
    assert sorted(ties.loc[["seizure:CEN:S-0"], "target"]) == [
        "commodity:manis javanica|carcass", "commodity:manis javanica|live", "commodity:manis javanica|parts"]
    # a product first takes the taxon after it; the taxon it qualifies is no commodity of its own
    assert ties.loc[["seizure:CEN:S-1"], "target"].tolist() == ["commodity:manis pentadactyla|carcass"]
    # a cell that names only a product names no taxon: it is kept as written, and listed as unmatched
    assert ties.loc[["seizure:CEN:S-2"], ["target", "product"]].values.tolist() == [
        ["commodity:unmatched:frozen", "carcass"]]
    assert ties.loc[["seizure:CEN:S-2"], "taxon"].isna().all()
    names = set(store.node_frame("Commodity")["name"])
    assert not names & {"live", "live;", "parts"}


def test_a_taxon_qualified_by_products_is_counted_once_unless_each_has_a_quantity(store, tmp_path):
    """As in a court extract: "Manis javanica / frozen" with one quantity is that many frozen pangolins;
    "Manis javanica / scales" with a quantity each is pangolins and scales."""
    path = write_cen(tmp_path / "heads.csv", ["Manis javanica; frozen", "Manis javanica; scales", "Manis javanica; meat"],
                     ["12 pieces", "2 pieces; 18.5 kg", "40 kg"])
    ng.load_file(path, "cen_customs", store, progress=False)
    ties = seized(store).set_index(["source", "target"])
    assert sorted(ties.index.tolist()) == [
        ("seizure:CEN:S-0", "commodity:manis javanica|carcass"), ("seizure:CEN:S-1", "commodity:manis javanica|live"),
        ("seizure:CEN:S-1", "commodity:manis javanica|scales"), ("seizure:CEN:S-2", "commodity:manis javanica|meat")]
    assert ties.loc[("seizure:CEN:S-0", "commodity:manis javanica|carcass"), "pieces"] == 12
    assert ties.loc[("seizure:CEN:S-1", "commodity:manis javanica|live"), "pieces"] == 2
    assert ties.loc[("seizure:CEN:S-1", "commodity:manis javanica|scales"), "weight_kg"] == 18.5
    assert ties.loc[("seizure:CEN:S-2", "commodity:manis javanica|meat"), "weight_kg"] == 40


# --- languages, products, typos ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, taxon, product", [
    ("pangolin scales", "Manis spp.", "scales"), ("vảy tê tê", "Manis spp.", "scales"),
    ("穿山甲鳞片", "Manis spp.", "scales"), ("穿山甲鱗片", "Manis spp.", "scales"),  # traditional Chinese
    ("Sunda pangolin scales", "Manis javanica", "scales"), ("vảy tê tê Java", "Manis javanica", "scales"),
    ("ngà voi", "Elephantidae", "ivory"), ("象牙", "Elephantidae", "ivory"),  # ivory names no species
    ("Asian elephant tusks", "Elephas maximus", "ivory"), ("ivory bangles", "Elephantidae", "worked ivory"),
    ("rhino horns", "Rhinocerotidae", "horn"), ("sừng tê giác trắng", "Ceratotherium simum", "horn"),
    ("rhino horn powder", "Rhinocerotidae", "horn"), ("bột sừng tê giác", "Rhinocerotidae", "horn"),
    ("犀牛角", "Rhinocerotidae", "horn"), ("tiger bones", "Panthera tigris", "bone"),
    ("xương hổ", "Panthera tigris", "bone"), ("frozen tigers", "Panthera tigris", "carcass"),
    ("da báo hoa mai", "Panthera pardus", "skin"), ("leopard skins", "Panthera pardus", "skin"),
    ("mật gấu", "Ursidae", "bile"), ("moon bear bile", "Ursus thibetanus", "bile"),
    ("熊掌", "Ursidae", "paws"), ("thịt tê tê đông lạnh", "Manis spp.", "meat"),
    ("frozen pangolin meat", "Manis spp.", "meat"), ("Indian Star Tortoises", "Geochelone elegans", "live"),
    ("Hawksbill Turtle Scutes", "Eretmochelys imbricata", "shell"), ("Sea Turtle Eggs", "Chelonioidea", "eggs"),
    ("slow lorises", "Nycticebus spp.", "live"), ("khỉ", "Primates", "live"), ("African grey parrots", "Psittacus erithacus", "live"),
    ("Siamese rosewood logs", "Dalbergia cochinchinensis", "timber"), ("gỗ trắc", "Dalbergia spp.", "timber"),
    ("交趾黄檀", "Dalbergia cochinchinensis", "timber"), ("Dalbergia", "Dalbergia spp.", "timber"),
    ("Pythons", "Pythonidae", "live"), ("Lizards", "Lacertilia", "live"), ("Reptiles", "Reptilia", "live"),
    ("Birds", "Aves", "live"), ("Stuffed Crocodile", "Crocodylia", "taxidermy"),
    ("Reticulated Python Gall Bladders", "Malayopython reticulatus", "gall bladder"),
])
def test_text_in_three_languages_names_taxon_and_product(text, taxon, product):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.product) == (taxon, product), ref
    assert ref.how in ("exact", "common name") and ref.written == text


@pytest.mark.parametrize("text, taxon, product", [
    ("African Grey Parrotw", "Psittacus erithacus", "live"), ("Budgerigarw", "Melopsittacus undulatus", "live"),
    ("budgerigaries", "Melopsittacus undulatus", "live"), ("Ploughshare Toirtoises", "Astrochelys yniphora", "live"),
    ("Aldabra Troiteses", "Aldabrachelys gigantea", "live"), ("Albino Perigrine Falcon Eggs", "Falco peregrinus", "eggs"),
    ("Peregrinne Falcons", "Falco peregrinus", "live"), ("Turqouise Dwarf Geckos", "Lygodactylus williamsi", "live"),
    ("Patridges", "Phasianidae", "live"), ("pangolin scals", "Manis spp.", "scales"),
])
def test_typos_are_matched_fuzzily(text, taxon, product):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.product, ref.how) == (taxon, product, "spelling-corrected"), ref


@pytest.mark.parametrize("text, taxon", [
    ("Spotted Box Turtles", "Cuora spp."),  # not the "spotted pond turtle" a fuzzy match would make of it
    ("Oriental Rattlesnakes", "Viperidae"),  # not an "oriental rat snake"
    ("Yellow-headed turtles", "Testudines"),  # not a "big-headed turtle"
    ("Spur Tortoises", "Testudinidae"),  # not a "spider tortoise"
    ("Kali Turtles", "Testudines"),  # a group name gives the group, never a made-up species
])
def test_a_fuzzy_match_never_overrules_a_word_it_knows(text, taxon):
    assert vocab.commodity(text).taxon == taxon


@pytest.mark.parametrize("text", ["Kapikas", "assorted goods", "xyz", "天书"])
def test_text_naming_no_taxon_is_kept_as_written(text):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.cites, ref.how, ref.name) == (None, None, "unmatched", text)
    assert ref.key == "commodity:unmatched:" + vocab.normalise(text)


def test_plurals_and_case_give_one_commodity():
    keys = {vocab.commodity(t).key for t in ("Ploughshare Tortoises", "ploughshare tortoise", "PLOUGHSHARE TORTOISES",
                                             "Ploughshare  tortoises.", "angonoka")}
    assert keys == {"commodity:astrochelys yniphora|live"}


def test_each_distinct_text_is_read_once():
    species.commodity.cache_clear()
    for _ in range(1000):
        species.commodity("Indian Star Tortoises")
    info = species.commodity.cache_info()
    assert (info.misses, info.hits) == (1, 999)


@pytest.mark.parametrize("text, taxon, how", [
    ("Manis javanica", "Manis javanica", "exact"), ("M. javanica", "Manis javanica", "abbreviated"),
    ("M.javanica", "Manis javanica", "abbreviated"), ("P. tigris", "Panthera tigris", "abbreviated"),
    ("Manis tetradactyla", "Phataginus tetradactyla", "synonym"), ("Manis tricuspis", "Phataginus tricuspis", "synonym"),
    ("M. tricuspis", "Phataginus tricuspis", "abbreviated"), ("Manis gigantea", "Smutsia gigantea", "synonym"),
    ("Manis temminckii", "Smutsia temminckii", "synonym"), ("S. temminckii", "Smutsia temminckii", "abbreviated"),
    ("Geochelone sulcata", "Centrochelys sulcata", "synonym"), ("Python reticulatus", "Malayopython reticulatus", "synonym"),
    ("black-bellied pangolins", "Phataginus tetradactyla", "common name"), ("tê tê java", "Manis javanica", "common name"),
    ("黑腹穿山甲", "Phataginus tetradactyla", "common name"), ("Manis javanca", "Manis javanica", "spelling-corrected"),
    ("Manis tetradactila", "Phataginus tetradactyla", "spelling-corrected"),
    ("Pantera tigris", "Panthera tigris", "spelling-corrected"),
])
def test_each_match_says_how_it_was_made(text, taxon, how):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.how) == (taxon, how), ref


@pytest.mark.parametrize("text, taxon", [
    ("M. tetradactyl", "Phataginus tetradactyla"),  # one edit from Manis tetradactyla only
    ("Manis pentadactila", "Manis pentadactyla"),
    ("Manis tetradactylla", "Phataginus tetradactyla"),
    ("Manis penta", "Manis spp."),  # far from every Manis species: only the genus is read
    ("Manis tetrapentadactyla", "Manis spp."),  # near two species: neither
    ("Maniss tetradactila", "Manis spp."),  # two edits from the species
    ("M. tetrapentadactyla", None),  # and an initial alone names no genus
])
def test_a_spelling_correction_never_crosses_to_another_species_of_the_genus(text, taxon):
    """A correction to a species with others in its genus (Manis: four species and four synonyms) must be one
    edit from it and from no other; else only what is certain is kept (the genus), or nothing."""
    assert vocab.commodity(text).taxon == taxon


def test_an_abbreviation_two_genera_share_is_unmatched_with_its_reason():
    """S. chinensis: Spilopelia chinensis (spotted dove) and Synoicus chinensis (king quail)."""
    ref = vocab.commodity("S. chinensis")
    assert (ref.taxon, ref.how) == (None, "unmatched")
    assert ref.note == "'S. chinensis' may be Spilopelia chinensis or Synoicus chinensis"
    assert vocab.commodity("S. chinensis feathers").how == "unmatched"  # no product-only entry to fill
    assert vocab.commodity("C. chinensis").taxon == "Synoicus chinensis"  # its synonym Coturnix chinensis


@pytest.mark.parametrize("text, form, key", [
    ("Manis javanica", "frozen", "commodity:manis javanica|carcass"),
    ("Manis javanica", "live", "commodity:manis javanica|live"),
    ("Manis javanica", "Scales", "commodity:manis javanica|scales"),
    ("M. pentadactyla", "dead", "commodity:manis pentadactyla|carcass"),
    ("tê tê", "thịt", "commodity:manis spp|meat"),
    ("Panthera tigris", "parts", "commodity:panthera tigris|parts"),
    ("pangolin scales", "live", "commodity:manis spp|live"),  # the form column says what was seized
])
def test_a_form_column_sets_the_product_and_not_the_taxon(text, form, key):
    assert species.commodity(text, form).key == key
    assert species.commodity(text, form).taxon == species.commodity(text).taxon


def test_a_form_that_names_no_product_is_said():
    ref = species.commodity("Manis javanica", "assorted")
    assert (ref.key, ref.note) == ("commodity:manis javanica|live", "form 'assorted' names no known product")
    assert species.commodity("Manis javanica", "  ") == species.commodity("Manis javanica")


@pytest.mark.parametrize("text, several", [
    ("ivory and rhino horn", "Elephantidae, Rhinocerotidae"), ("pangolin scales and ivory", "Elephantidae, Manis spp."),
    ("Manis javanica, Manis pentadactyla", "Manis javanica, Manis pentadactyla"),
    ("Eagle Owls, scops owls", "Bubo spp., Otus spp."),  # C4ADS: was read as eagle owls alone
])
def test_a_text_naming_several_taxa_is_unmatched_with_them(text, several):
    ref = vocab.commodity(text)
    assert (ref.taxon, ref.how, ref.note) == (None, "unmatched", f"names several taxa: {several}")


@pytest.mark.parametrize("text, taxon", [
    ("Pangolin (Manis javanica) scales", "Manis javanica"), ("rhino horn (Ceratotherium simum)", "Ceratotherium simum"),
    ("African Elephant Ivory", "Loxodonta africana"), ("Naja Naja Cobras", "Naja naja")])
def test_a_group_named_with_its_species_gives_the_species(text, taxon):
    assert vocab.commodity(text).taxon == taxon


def test_labelled_strings_taxon_precision_is_at_least_99_percent():
    """tests/data/species_eval.csv: strings in the styles of seizure records, labelled with their true taxon
    (empty where none is named precisely). Of the strings given a taxon, ≥ 99% get the labelled one."""
    result = runpy.run_path(str(BENCHMARK))["species"]()
    print(f"precision {result['precision']:.4f}, coverage {result['coverage']:.4f} "
          f"({result['right']} of {result['naming a taxon']}); wrong: {result['wrong']}; not read: {result['not read']}")
    assert result["strings"] >= 150 and result["precision"] >= 0.99, result["wrong"]
    assert result["coverage"] >= 0.95, result["not read"]


def test_c4ads_spelling_corrections_were_reviewed_and_swap_no_species():
    """Every C4ADS entry read by spelling correction, checked by hand: none crosses to another species."""
    shared_file(*C4ADS)  # skips where ../shared is missing, as the other tests on it do
    result = runpy.run_path(str(BENCHMARK))["c4ads_species"]()
    assert dict(result["spelling-corrected"]) == {
        "African Grey Parrotw": "Psittacus erithacus", "Albino Perigrine Falcon Eggs": "Falco peregrinus",
        "Aldabra Troiteses": "Aldabrachelys gigantea", "Angonoky Spur Turtles": "Astrochelys yniphora",
        "Argentine Red Tegus": "Salvator rufescens", "Argentine Tegus": "Salvator merianae",
        "Budgerigarw": "Melopsittacus undulatus", "Chesnut-bellied Seed finches": "Sporophila angolensis",
        "Chinese Hwameis": "Garrulax canorus", "Chochin Forest Cane Turtles": "Vijayachelys silvatica",
        "Green-Cheek Parakeets": "Pyrrhura molinae", "Nightengales": "Luscinia megarhynchos",
        "Patridges": "Phasianidae", "Peregrinne Falcons": "Falco peregrinus",
        "Ploughshare Toirtoises": "Astrochelys yniphora", "Red-whiskered Bulbus": "Pycnonotus jocosus",
        "Turqouise Dwarf Geckos": "Lygodactylus williamsi", "Uromastyz Geyris Lizards": "Uromastyx geyri",
        "budgerigaries": "Melopsittacus undulatus"}


# --- the vocabulary --------------------------------------------------------------------------------------

def test_vocabulary_is_consistent():
    vocabulary = species.vocabulary()
    species._index()  # raises if one name names two things
    assert {t.get("cites") for t in vocabulary["taxa"].values()} <= {None, "I", "II", "III", "I/II"}
    for group in ("Manis javanica", "Manis pentadactyla", "Phataginus tricuspis", "Phataginus tetradactyla",
                  "Smutsia gigantea", "Smutsia temminckii", "Manis crassicaudata", "Manis culionensis",
                  "Loxodonta africana", "Elephas maximus", "Diceros bicornis", "Ceratotherium simum",
                  "Panthera tigris", "Panthera pardus", "Ursus thibetanus", "Helarctos malayanus",
                  "Geochelone elegans", "Psittacus erithacus", "Nycticebus spp.", "Dalbergia cochinchinensis"):
        entry = vocabulary["taxa"][group]
        assert entry.get("en") and entry.get("zh"), group
    for taxon, entry in vocabulary["taxa"].items():  # every taxon, by its own scientific name and its synonyms
        assert species.commodity(taxon).taxon == taxon
        for synonym in entry.get("synonyms") or []:
            assert (species.commodity(synonym).taxon, species.commodity(synonym).how) == (taxon, "synonym")


# --- the store and the command line ----------------------------------------------------------------------

def test_seizure_keeps_the_commodity_as_written(store, tmp_path):
    path = write_cen(tmp_path / "written.csv", ["Albino Perigrine Falcon Eggs", "Kapikas; Parrots"], ["", ""])
    ng.load_file(path, "cen_customs", store, progress=False)
    written = store.node_frame("Seizure").set_index("id")["commodity_text"]
    assert written.to_dict() == {"seizure:CEN:S-0": "Albino Perigrine Falcon Eggs",
                                 "seizure:CEN:S-1": "Kapikas; Parrots"}
    ties = seized(store).set_index("target")
    assert ties.loc["commodity:falco peregrinus|eggs", "name"] == "peregrine falcon (eggs)"
    assert ties.loc["commodity:unmatched:kapikas", "name"] == "Kapikas"
    assert pd.isna(ties.loc["commodity:unmatched:kapikas", "taxon"])


def test_info_lists_unmatched_texts_with_counts(tmp_path):
    path = write_cen(tmp_path / "info.csv", ["Kapikas", "kapikas; pangolin scales", "Zorblax", "Manis javanica"])
    db = tmp_path / "info.lbdb"
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(path), "-m", "cen_customs", "--db", str(db)]).exit_code == 0
    info = runner.invoke(main, ["info", "--db", str(db)])
    assert info.exit_code == 0, info.output
    assert "seizures with a taxon: 2 of 4 (50.0%)" in info.output
    assert "commodity texts that name no known taxon (2;" in info.output
    assert "  Kapikas: 2\n  Zorblax: 1\n" in info.output
