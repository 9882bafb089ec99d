"""Template filters for Thai display: BE dates, percents and scores with two decimals."""

from decimal import InvalidOperation

from django import template

from core.nationalid import format_id, mask
from core.numbers import two_text
from core.thaidate import current_lang, format_be_numeric, format_thai_date

register = template.Library()


@register.filter
def thaidate(value, arg=""):
    """12 มี.ค. 2563; ``|thaidate:"long"`` for the month's full name; 12 Mar 2563 BE in
    English mode (core.thaidate)."""
    return format_thai_date(value, long=arg == "long")


@register.filter
def thaidatetime(value):
    if not value:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value)
    suffix = "" if current_lang() == "en" else " น."
    return f"{thaidate(local.date())} {local:%H:%M}{suffix}"


@register.filter
def be(value):
    """A CE year as BE."""
    try:
        return int(value) + 543
    except (TypeError, ValueError):
        return ""


@register.filter
def dec2(value):
    """Two decimals, half-up (9.385 → 9.39); empty for None."""
    if value is None or value == "":
        return ""
    try:
        return two_text(value, grouped=True)
    except InvalidOperation:
        return value


@register.filter
def masked_id(value):
    return mask(value)


@register.filter
def national_id(value):
    return format_id(value)


@register.filter
def be_numeric(value):
    """dd/mm/yyyy with a BE year: the value of a date input, which parses back."""
    return format_be_numeric(value)


@register.filter
def with_query(url, query):
    """``url`` with ``query`` (e.g. "export=xlsx") added, whether or not it has a query yet."""
    if not url:
        return ""
    base, _, fragment = str(url).partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{query}"
    return f"{joined}#{fragment}" if fragment else joined
