"""Fonts for the pictures: DejaVu Sans for Latin and Vietnamese, then a CJK font for Chinese names.

matplotlib keeps its list of installed fonts in a cache file, built the first time it is imported. A CJK font
installed after that (``apt-get install fonts-wqy-microhei`` after ``make demo``) is not in the list, and
every Chinese glyph would print as a box. :func:`chart_fonts` looks for a CJK font at run time: if the list
has none, it adds the system's font files the list is missing and rewrites the cache, once per process.

>>> chart_fonts()[0]
'DejaVu Sans'
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import matplotlib
from matplotlib import font_manager, ft2font

LATIN = "DejaVu Sans"  # Latin with every Vietnamese diacritic
KNOWN_CJK = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Droid Sans Fallback",
             "AR PL UMing CN", "Noto Serif CJK SC")
PROBE = "中"  # a font with this glyph is taken as a CJK font

log = logging.getLogger(__name__)


def chart_fonts() -> list[str]:
    """Font families for ``font.family``, in fallback order: DejaVu Sans, then a CJK font if one is installed
    (matplotlib falls back along the list glyph by glyph)."""
    cjk = cjk_family()
    return [LATIN, cjk] if cjk else [LATIN]


@functools.cache
def cjk_family() -> str | None:
    """The family name of an installed CJK font, or None; adds fonts missing from matplotlib's list first.

    >>> cjk_family()          # doctest: +SKIP
    'WenQuanYi Micro Hei'
    """
    manager = font_manager.fontManager
    found = _covering(manager.ttflist)
    if found:
        return found
    listed = {Path(f.fname).resolve() for f in manager.ttflist}
    missing = [p for p in font_manager.findSystemFonts() if Path(p).resolve() not in listed]
    for path in missing:
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # a font FreeType cannot read stays out, as matplotlib does
            continue
    found = _covering(manager.ttflist)
    if missing:
        cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
        try:
            font_manager.json_dump(manager, cache)  # later runs find the fonts without this scan
        except OSError:
            pass
        log.info("added %d font file(s) missing from matplotlib's font list; CJK font: %s", len(missing), found)
    return found


def _covering(entries) -> str | None:
    """A known CJK family in ``entries``, else the first font whose character map has the probe glyph."""
    names = {f.name: f for f in entries}
    for name in KNOWN_CJK:
        if name in names:
            return name
    for entry in sorted(entries, key=lambda f: f.name):
        if entry.name.startswith("Last Resort"):  # matplotlib's own font of boxes maps every character
            continue
        try:
            if ft2font.FT2Font(entry.fname).get_char_index(ord(PROBE)):
                return entry.name
        except (OSError, RuntimeError):
            continue
    return None
