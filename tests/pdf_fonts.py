"""What a PDF really shows: each character of its text must have a glyph in a font it embeds (a box fails)."""
import io

from fontTools.ttLib import TTFont
from pypdf import PdfReader


def _embedded_maps(page) -> list[dict[int, str]]:
    """Character → glyph name of every TrueType font the page embeds (LastResort's boxes left out)."""
    maps = []
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        if "LastResort" in str(font.get("/BaseFont", "")):  # matplotlib's font of boxes for missing glyphs
            continue
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor")
        program = descriptor.get_object().get("/FontFile2") if descriptor else None
        if program is None:
            continue
        tt = TTFont(io.BytesIO(program.get_object().get_data()))
        maps.append({code: glyph for code, glyph in tt.getBestCmap().items() if glyph != ".notdef"})
    return maps


def missing_glyphs(path) -> set[str]:
    """Characters of the PDF's text that no embedded font draws (they print as boxes)."""
    missing = set()
    for page in PdfReader(path).pages:
        maps = _embedded_maps(page)
        for char in set(page.extract_text()) - set(" \n\t"):
            if not any(ord(char) in m for m in maps):
                missing.add(char)
    return missing
