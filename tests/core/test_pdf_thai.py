"""Every PDF prints Thai right: tone marks stacked over upper vowels (measured on the rendered
pixels: a text layer can be right while the print is wrong), lines broken between words and
never inside a date, nothing cut, Sarabun embedded, BE years, pages that open.

Rasterising needs poppler (pdftoppm, pdftotext, pdffonts; `scripts/system-deps test` installs
it): without it these tests fail, they never skip."""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path as FsPath

import pytest
from django.template import Context, Template
from PIL import Image
from pypdf import PdfReader

from core import pdf
from core.nationalid import make_valid
from core.thaidate import MONTHS_LONG, MONTHS_SHORT

DPI = 150
# Words that are never split over two lines, wherever they are.
WORDS = (
    "งบประมาณ",
    "พัฒนา",
    "มนุษย์",
    "สวัสดิการ",
    "มั่นคง",
    "อาสาสมัคร",
    "ประกาศนียบัตร",
    "ดำเนินงาน",
    "เพื่อ",
)
# Compounds kept on one line where they stand as words of their own (titles, headings, the
# agency's name); inside a run of Thai letters libthai may break between their words
# (ในการ|พัฒนา), as Thai typesetting allows. See core.pdf.KEEP_TOGETHER.
STANDALONE = pdf.KEEP_TOGETHER
FOOTER = "กรมพัฒนาสังคมและสวัสดิการ กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"
_MONTH = "|".join(
    r"\s*".join(map(re.escape, m)) for m in sorted(MONTHS_LONG + MONTHS_SHORT, key=len)[::-1]
)
# the month and year of a date with any whitespace (a line break included) between or inside
MONTH_YEAR = re.compile(rf"(?:{_MONTH})\s+\d(?:\s*\d){{3}}")
# the dates each document prints (from the fixtures below), each of which must be on one line
DATES = {
    "card": ["1 ก.พ. 2563"],
    "certificate": ["1 กุมภาพันธ์ 2563"],
    "kpi_report": ["30 กันยายน 2563"],
    "usage_report": ["1 ตุลาคม 2562", "30 กันยายน 2563"],
    "field_report": ["30 ก.ย. 2563"],
    "slip": ["1 ธันวาคม 2563"],
    "self_assessment": ["30 กันยายน 2563"],
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} (poppler-utils) is missing: run scripts/system-deps test")
    return path


def _run(tool: str, *args) -> str:
    return subprocess.run([_tool(tool), *args], capture_output=True, text=True, check=True).stdout


def _file(data: bytes, tmp: FsPath, name: str = "doc") -> str:
    path = tmp / f"{name}.pdf"
    path.write_bytes(data)
    return str(path)


def rasterise(data: bytes, tmp: FsPath, dpi: int = DPI) -> list[Image.Image]:
    """Every page of the PDF as a greyscale image, drawn by pdftoppm."""
    out = tmp / "page"
    _run("pdftoppm", "-r", str(dpi), "-png", _file(data, tmp, "raster"), str(out))
    return [Image.open(p).convert("L") for p in sorted(tmp.glob("page*.png"))]


def ink_box(image: Image.Image, threshold: int = 80):
    """The bounding box (left, top, right, bottom) of the dark pixels, or None."""
    return image.point(lambda p: 255 if p < threshold else 0).getbbox()


def text_lines(data: bytes, tmp: FsPath) -> list[str]:
    """The text in content order, one printed line per line (pdftotext -raw)."""
    text = _run("pdftotext", "-raw", _file(data, tmp, "text"), "-")
    return [line.replace(pdf.NBSP, " ") for line in text.splitlines()]


def words_with_boxes(data: bytes, tmp: FsPath):
    """(page width, page height, [(word, xMin, yMin, xMax, yMax)]) per page, in points."""
    html = _run("pdftotext", "-bbox", _file(data, tmp, "bbox"), "-")
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        words = [
            (w[5], *map(float, w.groups()[:4]))
            for w in re.finditer(
                r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
                r"(.*?)</word>",
                page[3],
            )
        ]
        pages.append((float(page[1]), float(page[2]), words))
    return pages


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace(pdf.NBSP, " "))


def probe(text: str, size: str = "60pt") -> bytes:
    """One word, large, through the engine every document uses."""
    template = Template(
        '{% extends "pdf/base.html" %}{% block page_css %}@page { size: 80mm 50mm; margin: 8mm; }'
        '{% endblock %}{% block body %}<p style="font-size: {{ size }}; line-height: 1.6">'
        "{{ text }}</p>{% endblock %}"
    )
    html = template.render(
        Context({"text": text, "size": size, "pdf_font_faces": pdf.font_faces_css()})
    )
    return pdf.html_to_pdf(html)


def tone_mark_rise(with_mark: bytes, without: bytes, tmp: FsPath, band=None) -> int:
    """How many pixels higher the ink reaches with the tone marks than without them (within
    ``band`` = (left, top, right, bottom) in pixels when given)."""
    tops = []
    for i, data in enumerate((with_mark, without)):
        sub = tmp / f"r{i}"
        sub.mkdir()
        page = rasterise(data, sub)[0]
        if band is not None:
            page = page.crop(band)
        tops.append(ink_box(page)[1])
    return tops[1] - tops[0]


# --- shaping, measured on pixels ----------------------------------------------------------------


@pytest.mark.parametrize(("marked", "bare"), [("ที่", "ที"), ("ชี้", "ชี"), ("ปิ่น", "ปิน")])
def test_a_tone_mark_stacks_above_the_upper_vowel(tmp_path, marked, bare):
    # 60 pt at 150 dpi is 125 px to the em; a stacked mark rises about a quarter of an em above
    # the vowel. Without shaping the mark is drawn at its default height, onto the vowel: no rise.
    assert tone_mark_rise(probe(marked), probe(bare), tmp_path) >= 12


def test_the_tone_mark_is_drawn_not_lost(tmp_path):
    # ที่ printed as ที draws no more ink than ที
    dark = []
    for i, text in enumerate(("ที่", "ที")):
        (tmp_path / str(i)).mkdir()
        page = rasterise(probe(text), tmp_path / str(i))[0]
        dark.append(sum(page.histogram()[:80]))
    assert dark[0] > dark[1] * 1.05


# --- the real documents -------------------------------------------------------------------------


@pytest.fixture
def volunteer(db, bangkok):
    from volunteers import services
    from volunteers.models import Kind, Path, Volunteer

    def make(first: str, last: str):
        v = Volunteer.objects.create(
            province=bangkok,
            national_id=make_valid(f"3{Volunteer.objects.count() + 1:011d}"),
            title="นางสาว",
            first_name=first,
            last_name=last,
            sex="F",
            kind=Kind.BANGKOK,
            district="พระนคร",
        )
        return services.certify(v, dt.date(2020, 2, 1), Path.WORKSHOP)

    return make


@pytest.fixture
def documents(volunteer, fy2563, bangkok, make_user, rf):
    """Every kind of PDF the application prints, rendered by the callers the views use."""
    from core import roles
    from reports import report as kpi_report
    from subsidies import report as usage_report
    from subsidies import services as subsidy_services
    from subsidies.models import Application, SubsidyType
    from subsidies.views import application_slip_pdf
    from volunteers import documents as volunteer_documents
    from volunteers import report as field_report

    v = volunteer("ปิ่นฟ้า", "ที่ดี")
    officer = make_user(roles.SUBSIDY_OFFICER, username="slip-officer")
    application = subsidy_services.create_application(
        Application(
            first_name="เพื่อนแท้",
            last_name="ตัวชี้วัด",
            national_id=make_valid("110000000001"),
            province=bangkok,
            subsidy_type=SubsidyType.LOW_INCOME,
            amount_requested=3000,
            received_on=dt.date(2020, 12, 1),
        ),
        officer,
    )
    request = rf.get("/")
    request.user = officer
    slip = application_slip_pdf(request, application.pk)
    assert slip["Content-Type"] == "application/pdf"
    return {
        "card": volunteer_documents.card_pdf(v),
        "certificate": volunteer_documents.certificate_pdf(v),
        "kpi_report": kpi_report.as_pdf(kpi_report.build(fy2563, dt.date(2020, 9, 30))),
        "usage_report": usage_report.as_pdf(usage_report.build(2563)),
        "field_report": field_report.as_pdf(field_report.build(2563)),
        "slip": slip.content,
        "self_assessment": _self_assessment_pdf(fy2563, make_user),
    }


def _self_assessment_pdf(fy2563, make_user) -> bytes:
    """FY2563's 12-month round's self-assessment report, closed (read from its snapshot)."""
    from core import roles
    from reporting import report as round_report
    from reporting import services as round_services
    from reporting.models import Narrative, NarrativeStatus, Round

    admin = make_user(roles.ADMIN, username="round-closer")
    twelve = Round.objects.get(indicator_set=fy2563, as_of=dt.date(2020, 9, 30))
    for indicator in round_services.reporting_indicators(fy2563):
        Narrative.objects.create(
            round=twelve,
            indicator=indicator,
            result_text="ดำเนินการตามแผนครบทุกขั้นตอน ผู้รับบริการได้รับการพัฒนาศักยภาพ",
            supporting_factors="เจ้าหน้าที่ทุกหน่วยงานร่วมมือกันอย่างดียิ่ง",
            status=NarrativeStatus.SUBMITTED,
            created_by=admin,
            updated_by=admin,
        )
    round_services.close_round(twelve.pk, admin)
    return round_report.as_pdf(round_report.build(Round.objects.get(pk=twelve.pk)))


def test_the_card_of_a_volunteer_with_tone_marks_prints_them_stacked(volunteer, tmp_path):
    from volunteers.documents import card_pdf

    marked = card_pdf(volunteer("ปิ่นฟ้า", "ที่ดี"))
    bare = card_pdf(volunteer("ปินฟ้า", "ทีดี"))
    _, _, words = words_with_boxes(bare, tmp_path)[0]
    box = next(w for w in words if "ปินฟ้า" in w[0])
    px = DPI / 72
    height = box[4] - box[2]
    band = (0, int((box[2] - 0.3 * height) * px), int(85.6 / 25.4 * DPI), int(box[4] * px))
    # the name is 11 pt (23 px to the em at 150 dpi): the stacked marks rise ≥ 3 px above ิ ี
    assert tone_mark_rise(marked, bare, tmp_path, band) >= 3
    assert "ปิ่นฟ้า" in _squash("".join(text_lines(marked, tmp_path)))


def test_the_card_is_one_page_with_the_whole_footer(documents, tmp_path):
    data = documents["card"]
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    lines = [line for line in text_lines(data, tmp_path) if line.strip()]
    assert _squash(" ".join(lines)).endswith(_squash(FOOTER))
    assert lines[-1].endswith("มนุษย์")


DOCUMENTS = [
    "card", "certificate", "kpi_report", "usage_report", "field_report", "slip", "self_assessment",
]  # fmt: skip


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_line_breaks_inside_a_word_or_a_date(documents, tmp_path, name):
    lines = text_lines(documents[name], tmp_path)
    text = "\n".join(lines)
    whole = _squash(text)
    for word in WORDS:
        on_one_line = sum(_squash(line).count(word) for line in lines)
        assert on_one_line == whole.count(word), (name, word)
    thai = "\u0e00-\u0e7f"
    for phrase in STANDALONE:
        pattern = rf"(?<![{thai}])" + r"\s*".join(map(re.escape, phrase)) + rf"(?![{thai}])"
        for m in re.finditer(pattern, text):
            assert "\n" not in m[0], (name, m[0])
    for date in DATES[name]:
        assert any(date in line for line in lines), (name, date)
    found = MONTH_YEAR.findall(text)
    assert found, name
    for date in found:
        assert "\n" not in date, (name, date)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_nothing_is_cut_at_the_page_edges(documents, tmp_path, name):
    for width, height, words in words_with_boxes(documents[name], tmp_path):
        for word, x0, y0, x1, y1 in words:
            assert x0 >= -0.5 and y0 >= -0.5 and x1 <= width + 0.5 and y1 <= height + 0.5, word


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_embeds_sarabun_prints_be_years_and_opens(documents, tmp_path, name):
    data = documents[name]
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    if name in ("card", "certificate", "slip"):
        assert len(reader.pages) == 1
    rows = _run("pdffonts", _file(data, tmp_path)).splitlines()[2:]
    assert rows
    for row in rows:
        assert "Sarabun" in row.split()[0] and " yes yes yes " in row, row
    text = "\n".join(text_lines(data, tmp_path))
    years = {int(y) for y in re.findall(r"\b(2[05]\d\d)\b", text)}
    assert years and all(y > 2500 for y in years), (name, years)  # BE, never CE


def test_the_text_layer_reads_sara_am_and_stacked_marks(documents, tmp_path):
    text = _squash("".join(text_lines(documents["kpi_report"], tmp_path)))
    for word in ("ผลการดำเนินงาน", "คะแนนถ่วงน้ำหนัก", "ตัวชี้วัด", "ความมั่นคงของมนุษย์"):
        assert word in text, word


def test_documents_fetch_no_urls(db):
    html = (
        '<html><body><img src="https://example.org/x.png"><img src="file:///etc/hostname">'
        "<p>ที่</p></body></html>"
    )
    fetcher = pdf._url_fetcher()
    for url in ("https://example.org/x.png", "file:///etc/hostname", "ftp://example.org/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert pdf.html_to_pdf(html).startswith(b"%PDF")
