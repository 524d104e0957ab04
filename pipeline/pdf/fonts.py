"""The TrueType fonts with Polish letters that asysta's own PDFs use.

One list for the PDF forms (`pipeline.forms`, which embed the font with fontTools) and
the case binder (`pipeline.documents.teczka`, which draws with reportlab): Debian's
fonts-liberation2 (Arial metrics, compact) first, then the older fonts-liberation,
then fonts-dejavu.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pipeline.core.errors import AsystaError

FONT_FILES: tuple[tuple[str, str], ...] = (  # (regular, bold)
    ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
FONT, FONT_BOLD = "AsystaSans", "AsystaSans-Bold"  # reportlab's names for font_paths()
MISSING = ("nie znaleziono czcionki z polskimi znakami – zainstaluj pakiet fonts-liberation2 "
           "albo fonts-dejavu (apt install fonts-liberation2)")


def font_paths() -> tuple[Path, Path]:
    """The first installed (regular, bold) pair; AsystaError when none is."""
    for regular, bold in FONT_FILES:
        if Path(regular).is_file() and Path(bold).is_file():
            return Path(regular), Path(bold)
    raise AsystaError(MISSING)


@functools.lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register the first installed font pair (regular and bold) with reportlab, once, under
    the names FONT and FONT_BOLD; AsystaError when none is installed."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = font_paths()
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
    return str(regular), str(bold)
