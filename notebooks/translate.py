"""Write the Vietnamese lessons (notebooks/vi/) from the English ones and the translation table vi.yaml.

Each paragraph of a markdown cell (text between blank lines) is looked up whole in the table; code cells are
copied as they are, so both languages run the same code. A paragraph the table lacks stops the run and is
listed, so an English lesson edited without its translation cannot go out half in English.

    python notebooks/translate.py            # write notebooks/vi/
    python notebooks/translate.py --check    # exit 1 if notebooks/vi/ is not what the table gives
"""
import sys
from pathlib import Path

import nbformat
import yaml

HERE = Path(__file__).resolve().parent
LESSONS = ["01-load-your-spreadsheet.ipynb", "02-one-person-many-spellings.ipynb", "03-brokers-and-groups.ipynb"]


class UntranslatedError(KeyError):
    """Paragraphs of the English lessons that the table does not translate."""


def translated(name: str, table: dict[str, str]) -> nbformat.NotebookNode:
    """The lesson ``name`` with its markdown paragraphs translated by ``table`` (English → Vietnamese)."""
    book = nbformat.read(HERE / name, as_version=4)
    missing = []
    for cell in book.cells:
        if cell.cell_type == "markdown":
            paragraphs = cell.source.split("\n\n")
            missing += [p for p in paragraphs if p not in table]
            cell.source = "\n\n".join(table.get(p, p) for p in paragraphs)
    if missing:
        raise UntranslatedError(f"{name}: vi.yaml does not translate: {missing}")
    book.metadata["language"] = "vi"
    return book


def main(check: bool = False) -> int:
    table = {entry["en"].strip(): entry["vi"].strip()
             for entry in yaml.safe_load((HERE / "vi.yaml").read_text(encoding="utf-8"))}
    stale = []
    for name in LESSONS:
        text = nbformat.writes(translated(name, table)).rstrip("\n") + "\n"
        target = HERE / "vi" / name
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        else:
            target.write_text(text, encoding="utf-8")
    if stale:
        print("not generated from vi.yaml (run python notebooks/translate.py):", *stale, sep="\n  ")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv[1:]))
