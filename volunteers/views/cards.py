"""A volunteer's documents: the card and the certificate as PDFs, and a card issued anew."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from volunteers import documents, permissions, services
from volunteers.views._common import pdf_response, visible_volunteer


@permissions.can_view.required
def card_pdf(request, pk):
    volunteer = visible_volunteer(request, pk)
    if not volunteer.card_number:
        raise Http404(_("ยังไม่มีบัตรประจำตัว"))
    return pdf_response(documents.card_pdf(volunteer), f"card-{volunteer.pk}.pdf")


@permissions.can_view.required
def certificate_pdf(request, pk):
    volunteer = visible_volunteer(request, pk)
    if not volunteer.certificate_number:
        raise Http404(_("ยังไม่มีวุฒิบัตร"))
    return pdf_response(documents.certificate_pdf(volunteer), f"certificate-{volunteer.pk}.pdf")


@require_POST
@permissions.can_edit.required
def card_renew(request, pk):
    volunteer = visible_volunteer(request, pk)
    if not volunteer.registration_number:
        messages.error(request, _("ออกบัตรได้เฉพาะ อพม. ที่ขึ้นทะเบียนแล้ว"))
        return redirect(volunteer)
    if "card" not in request.POST:
        messages.error(request, _("ไม่ได้ระบุบัตรที่จะออกใหม่ โปรดกดปุ่ม “ออกบัตรใหม่” จากหน้าข้อมูล อพม."))
        return redirect(volunteer)
    try:
        renewed = services.renew_card(volunteer.pk, request.POST["card"], timezone.localdate())
    except services.StaleRenewal as stale:
        messages.warning(
            request,
            _(
                "บัตรเลขที่ %(POST_card_or)s ได้ออกใหม่ไปแล้วระหว่างนี้ (บัตรปัจจุบันเลขที่ %(card_number_or)s) จึงไม่ได้ออกบัตรซ้ำอีก"
            )
            % {
                "POST_card_or": request.POST["card"] or "-",
                "card_number_or": stale.volunteer.card_number or "-",
            },
        )
        return redirect(volunteer)
    messages.success(
        request, _("ออกบัตรใหม่เลขที่ %(card_number)s แล้ว") % {"card_number": renewed.card_number}
    )
    return redirect(volunteer)
