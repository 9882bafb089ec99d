"""The volunteer's card (85.6 × 54 mm) and certificate (A4 landscape) as Thai PDFs, from the
templates volunteers/pdf/card.html and certificate.html through core.pdf."""

from core.pdf import render_pdf


def card_pdf(volunteer) -> bytes:
    """บัตรประจำตัว อพม. at credit-card size (85.6 × 54 mm), one page."""
    return render_pdf("volunteers/pdf/card.html", {"volunteer": volunteer})


def certificate_pdf(volunteer) -> bytes:
    """วุฒิบัตร (workshop) or ประกาศนียบัตร (e-learning), A4 landscape."""
    title = "ประกาศนียบัตร" if volunteer.training_path == "elearning" else "วุฒิบัตร"
    return render_pdf("volunteers/pdf/certificate.html", {"volunteer": volunteer, "title": title})
