"""PDF documents in Thai with the vendored Sarabun font embedded (fpdf2).

fpdf2 reads TrueType, and @fontsource ships WOFF: the WOFF files are unpacked to TTF once (into
a cache folder) with fontTools, which fpdf2 already depends on. Thai and Latin are separate
subsets, so Latin is the main font and Thai its fallback.
"""

import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings
from fontTools.ttLib import TTFont
from fpdf import FPDF

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "sarabun" / "files"


@cache
def _ttf(name: str) -> str:
    out_dir = Path(tempfile.gettempdir()) / "kpitracker-fonts"
    out_dir.mkdir(exist_ok=True)
    target = out_dir / f"{name}.ttf"
    if not target.exists():
        font = TTFont(FONT_DIR / f"{name}.woff")
        font.flavor = None
        tmp = target.with_suffix(".tmp")
        font.save(tmp)
        tmp.replace(target)
    return str(target)


def thai_pdf(orientation: str = "P", unit: str = "mm", format="A4") -> FPDF:
    """An FPDF with families "Sarabun" (Latin) and "SarabunThai" (fallback), regular and bold,
    and Sarabun selected at 14 pt."""
    pdf = FPDF(orientation=orientation, unit=unit, format=format)
    pdf.add_font("Sarabun", "", _ttf("sarabun-latin-400-normal"))
    pdf.add_font("Sarabun", "B", _ttf("sarabun-latin-700-normal"))
    pdf.add_font("SarabunThai", "", _ttf("sarabun-thai-400-normal"))
    pdf.add_font("SarabunThai", "B", _ttf("sarabun-thai-700-normal"))
    pdf.set_fallback_fonts(["SarabunThai"], exact_match=False)
    pdf.set_text_shaping(False)
    pdf.set_font("Sarabun", size=14)
    return pdf
