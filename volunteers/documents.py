"""The volunteer's card and certificate as Thai PDFs (core.pdf.thai_pdf embeds Sarabun)."""

from core.pdf import thai_pdf
from core.thaidate import format_thai_date


def card_pdf(volunteer) -> bytes:
    """บัตรประจำตัว อพม. at credit-card size (85.6 × 54 mm)."""
    pdf = thai_pdf(orientation="L", format=(54, 85.6))
    pdf.set_auto_page_break(False)
    pdf.set_margins(4, 4, 4)
    pdf.add_page()
    pdf.set_fill_color(13, 110, 253)
    pdf.rect(0, 0, 85.6, 11, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Sarabun", "B", 10)
    pdf.set_xy(3, 1.5)
    pdf.cell(79.6, 4, "บัตรประจำตัวอาสาสมัครพัฒนาสังคม", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(3)
    pdf.cell(79.6, 4, "และความมั่นคงของมนุษย์ (อพม.)", align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(4, 13)
    pdf.set_font("Sarabun", "B", 11)
    pdf.cell(0, 6, volunteer.full_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "", 8.5)
    lines = [
        f"เลขที่บัตร {volunteer.card_number or '-'}",
        f"เลขทะเบียน อพม. {volunteer.registration_number or '-'}",
        f"จังหวัด {volunteer.province.name}",
        f"วันออกบัตร {format_thai_date(volunteer.card_issued_on) or '-'}",
        f"วันบัตรหมดอายุ {format_thai_date(volunteer.card_expires_on) or '-'}",
    ]
    for line in lines:
        pdf.cell(0, 4.6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "", 7)
    pdf.set_xy(4, 49)
    pdf.cell(0, 3, "กรมพัฒนาสังคมและสวัสดิการ กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์")
    return bytes(pdf.output())


def certificate_pdf(volunteer) -> bytes:
    """วุฒิบัตร (workshop) or ประกาศนียบัตร (e-learning), A4 landscape."""
    title = "ประกาศนียบัตร" if volunteer.training_path == "elearning" else "วุฒิบัตร"
    pdf = thai_pdf(orientation="L")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(13, 110, 253)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(28)
    pdf.set_font("Sarabun", "B", 18)
    pdf.cell(0, 10, "กรมพัฒนาสังคมและสวัสดิการ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0, 10, "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(6)
    pdf.set_font("Sarabun", "B", 30)
    pdf.cell(0, 16, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "", 18)
    pdf.cell(0, 10, "ให้ไว้เพื่อแสดงว่า", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "B", 26)
    pdf.cell(0, 16, volunteer.full_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Sarabun", "", 17)
    pdf.cell(
        0,
        10,
        "ได้ผ่านการฝึกอบรมหลักสูตรอาสาสมัครพัฒนาสังคมและความมั่นคงของมนุษย์ (อพม.)",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        0,
        10,
        f"โดยวิธี{volunteer.get_training_path_display() or '-'} "
        f"เมื่อวันที่ {format_thai_date(volunteer.trained_on, long=True) or '-'}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(12)
    pdf.set_font("Sarabun", "", 14)
    pdf.cell(
        0,
        8,
        f"เลขที่ {volunteer.certificate_number or '-'}   "
        f"เลขทะเบียน อพม. {volunteer.registration_number or '-'}   จังหวัด{volunteer.province.name}",
        align="C",
    )
    return bytes(pdf.output())
