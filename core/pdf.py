"""Every PDF the application prints: a Django template rendered to PDF by WeasyPrint.

Pango (with HarfBuzz and libthai) shapes Thai, so tone marks stack over upper vowels, and breaks
lines between Thai words. Documents extend ``templates/pdf/base.html`` (Sarabun, A4, page numbers
"หน้า N/M", repeated table headers); see docs/pdf.md.

Fonts: @fontsource ships Sarabun as separate Latin and Thai WOFF subsets; declared as several
@font-face with unicode-range under one family, WeasyPrint draws Latin digits and letters wrong.
So each weight's two subsets are merged with fontTools into one TTF, once, in a cache folder
(written to a temporary file and renamed, so concurrent workers never read half a file), and the
base template declares one @font-face per weight.

No network: the URL fetcher only opens file:// URLs under the project's static folder and the
font cache, and refuses everything else (a document never fetches what a user typed).
"""

import os
import re
import tempfile
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.thaidate import MONTHS_LONG, MONTHS_SHORT

STATIC_DIR = Path(settings.BASE_DIR) / "static"
FONT_DIR = STATIC_DIR / "vendor" / "sarabun" / "files"
FONT_CACHE = Path(tempfile.gettempdir()) / "kpitracker-fonts"
FONT_VERSION = 2  # bump when the merge changes, so old cached files are not reused
WEIGHTS = (400, 700)

NBSP = "\u00a0"
_MONTHS = "|".join(re.escape(m) for m in sorted(MONTHS_LONG + MONTHS_SHORT, key=len, reverse=True))
# Compounds libthai may break between their words (ปี|งบประมาณ, ตัว|ชี้|วัด): where one stands
# as a word of its own (between spaces, punctuation or tags) it is kept on one line, with a year
# that follows it. Inside a run of Thai letters it is left to libthai: a no-wrap box there hides
# the break opportunities next to it.
KEEP_TOGETHER = ("กรมพัฒนาสังคมและสวัสดิการ", "ปีงบประมาณ", "ตัวชี้วัด", "การพัฒนา")
_KEEP = re.compile(
    # "1 ธ.ค. 2569", "30 กันยายน 2563": a no-break space alone does not stop Pango from breaking
    # before the Thai month, so a date is a no-wrap box
    rf"(?<![\d,.])\d{{1,2}} (?:{_MONTHS}) \d{{4}}"
    r"|(?:ปีงบประมาณ )?พ\.ศ\. \d{4}"
    "|(?<![\u0e00-\u0e7f])(?:" + "|".join(map(re.escape, KEEP_TOGETHER)) + ")(?![\u0e00-\u0e7f])"
)
_TEXT = re.compile(r">([^<]+)<")


@cache
def font_file(weight: int) -> Path:
    """Sarabun at ``weight`` (400 or 700), Latin and Thai in one TrueType file."""
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    FONT_CACHE.mkdir(parents=True, exist_ok=True)
    target = FONT_CACHE / f"sarabun-{weight}-v{FONT_VERSION}.ttf"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory(dir=FONT_CACHE) as work:
        parts = []
        for subset in ("latin", "thai"):
            font = TTFont(FONT_DIR / f"sarabun-{subset}-{weight}-normal.woff")
            font.flavor = None
            part = Path(work) / f"{subset}.ttf"
            font.save(part)
            parts.append(str(part))
        merged = Merger().merge(parts)
        _separate_sara_am(merged)
        merged.save(Path(work) / "merged.ttf")
        os.replace(Path(work) / "merged.ttf", target)
    return target


# Text layer. HarfBuzz draws SARA AM (ำ) as NIKHAHIT + SARA AA, and a PDF maps each glyph to
# one text: the SARA AA glyph is also า, so "ดำเนินงาน" would copy and search as "ดาเนินงาน".
# The merged font therefore draws the SARA AA that follows a NIKHAHIT with a glyph of its own,
# "uni0E32.am", and the PDF's ToUnicode maps that glyph to ำ and the NIKHAHIT to nothing.
SARA_AA, SARA_AA_AM = "uni0E32", "uni0E32.am"


def _separate_sara_am(font) -> None:
    import copy

    from fontTools.otlLib.builder import buildCoverage, buildLookup, buildSingleSubstSubtable
    from fontTools.ttLib.tables import otTables as ot

    order = list(font.getGlyphOrder())
    order.append(SARA_AA_AM)
    font.setGlyphOrder(order)
    glyf = font["glyf"]
    glyf.glyphOrder = order
    glyf[SARA_AA_AM] = copy.deepcopy(glyf[SARA_AA])
    font["hmtx"][SARA_AA_AM] = font["hmtx"][SARA_AA]
    gdef = font["GDEF"].table if "GDEF" in font else None
    if gdef is not None and gdef.GlyphClassDef is not None:
        gdef.GlyphClassDef.classDefs[SARA_AA_AM] = gdef.GlyphClassDef.classDefs.get(SARA_AA, 1)
    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup
    glyph_map = font.getReverseGlyphMap(rebuild=True)
    lookups.append(buildLookup([buildSingleSubstSubtable({SARA_AA: SARA_AA_AM})]))
    single = len(lookups) - 1
    nikhahits = [g for g in order if g.startswith("uni0E4D")]
    chain = ot.ChainContextSubst()
    chain.Format = 3
    chain.BacktrackGlyphCount = 1
    chain.BacktrackCoverage = [buildCoverage(nikhahits, glyph_map)]
    chain.InputGlyphCount = 1
    chain.InputCoverage = [buildCoverage([SARA_AA], glyph_map)]
    chain.LookAheadGlyphCount = 0
    chain.LookAheadCoverage = []
    record = ot.SubstLookupRecord()
    record.SequenceIndex = 0
    record.LookupListIndex = single
    chain.SubstCount = 1
    chain.SubstLookupRecord = [record]
    lookups.append(buildLookup([chain]))
    gsub.LookupList.LookupCount = len(lookups)
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag == "ccmp":
            record.Feature.LookupListIndex.append(len(lookups) - 1)
            record.Feature.LookupCount = len(record.Feature.LookupListIndex)


@cache
def _glyph_texts(weight: int) -> dict[int, str]:
    """Glyph id → the text it stands for, from the font itself (not from where it was first
    drawn, which is how WeasyPrint fills ToUnicode): cmap, else the glyph's name."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_file(weight))
    order = font.getGlyphOrder()
    by_name: dict[str, str] = {}
    for cp, name in sorted(font.getBestCmap().items(), reverse=True):
        by_name[name] = chr(cp)  # the lowest code point wins (space, not no-break space)
    texts = {}
    for gid, name in enumerate(order):
        base = name.split(".")[0]
        if name == SARA_AA_AM:
            text = "ำ"
        elif base.startswith("uni0E4D"):  # NIKHAHIT, alone or with a tone mark: the mark only
            text = "".join(chr(int(base[i : i + 4], 16)) for i in range(7, len(base), 4))
        elif name in by_name:
            text = by_name[name]
        elif base in by_name:
            text = by_name[base]
        elif re.fullmatch(r"uni([0-9A-F]{4})+", base):
            text = "".join(chr(int(base[i : i + 4], 16)) for i in range(3, len(base), 4))
        else:
            continue
        texts[gid] = text
    return texts


_BFCHAR = re.compile(rb"<([0-9a-f]{4})> <([0-9a-f]*)>")


def _bfchar(raw: bytes, texts: dict[int, str]) -> bytes:
    m = _BFCHAR.fullmatch(raw)
    if not m or int(m[1], 16) not in texts:
        return raw
    return b"<%s> <%s>" % (m[1], texts[int(m[1], 16)].encode("utf-16-be").hex().encode())


def _fix_text_layer(document, pdf) -> None:
    """WeasyPrint finisher: rewrite each Sarabun font's ToUnicode from _glyph_texts."""
    import pydyf

    streams = {obj.number: obj for obj in pdf.objects if isinstance(obj, pydyf.Stream)}
    for obj in pdf.objects:
        if not (isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Font"):
            continue
        name, ref = str(obj.get("BaseFont", "")), obj.get("ToUnicode")
        if "Sarabun" not in name or ref is None:
            continue
        texts = _glyph_texts(700 if "Bold" in name else 400)
        stream = streams[int(ref.split()[0])]

        stream.stream = [_bfchar(raw, texts) for raw in stream.stream]


def font_faces_css() -> str:
    """The @font-face rules of the Sarabun family (one per weight), for the base template."""
    return "\n".join(
        f'@font-face {{ font-family: "Sarabun"; font-style: normal; font-weight: {w}; '
        f'src: url("{font_file(w).as_uri()}") format("truetype"); }}'
        for w in WEIGHTS
    )


def keep_together(html: str) -> str:
    """A no-wrap box round each Thai date, "พ.ศ. 2563" and each of KEEP_TOGETHER, in the text of
    the body (never in attributes, <title> or <style>)."""

    def text(m: re.Match) -> str:
        return ">" + _KEEP.sub(r'<span style="white-space: nowrap">\g<0></span>', m[1]) + "<"

    head, sep, body = html.partition("<body")
    if not sep:
        return html
    return head + sep + _TEXT.sub(text, body)


def _allowed_roots() -> tuple[Path, ...]:
    return (STATIC_DIR.resolve(), FONT_CACHE.resolve())


def _url_fetcher():
    from weasyprint.urls import URLFetcher

    class LocalFilesOnly(URLFetcher):
        """Opens file:// URLs under the static folder and the font cache; refuses the rest."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"PDF documents load local files only, not {url[:80]}")
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in _allowed_roots()):
                raise ValueError(f"PDF documents may not read {path}")
            return super().fetch(path.as_uri(), headers)

    return LocalFilesOnly(allowed_protocols=("file",), allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """A PDF from a whole HTML document (relative URLs resolve under static/)."""
    from weasyprint import HTML

    html = keep_together(html)
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_url_fetcher())
    return document.write_pdf(finisher=_fix_text_layer)


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """Render ``template_name`` (which extends "pdf/base.html") to PDF bytes, in Thai."""
    context = {**(context or {}), "pdf_font_faces": font_faces_css()}
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context, request=request)
    return html_to_pdf(html)
