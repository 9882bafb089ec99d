"""Thai dictionary order for names and provinces, the same on PostgreSQL and SQLite.

Sorting Thai by code point sinks every word that starts with a leading vowel (เ แ โ ใ ไ) to the
end: เชียงใหม่ after อุทัยธานี. A Thai dictionary files a leading vowel under the consonant that
follows it (เชียงใหม่ under ช), orders consonants before vowels, and tells tone marks apart only
when the letters are the same (กา < ก่า < ก้า < เกา).

- PostgreSQL: the ICU collation ``thai`` (locale th-TH, created by core's migration 0005).
- SQLite: a collation of the same name, registered on every new connection, comparing by
  ``sort_key`` below: a Python rendering of that ICU collation (CLDR's Thai rules: alternate
  shifted, Thai before Latin, leading vowels swapped with their consonant), for Thai, digits,
  Latin, spaces and punctuation; the tests check it against PostgreSQL.

Use ``thai_order("name")`` (or ``thai_order("-name")``) in ``order_by`` and Meta.ordering.
"""

import functools
import unicodedata

from django.db.backends.signals import connection_created
from django.db.models.functions import Collate

COLLATION = "thai"

LEADING_VOWELS = frozenset("เแโใไ")
CONSONANTS = frozenset(chr(c) for c in range(0x0E01, 0x0E2F))  # ก … ฮ, with ฤ ฦ in place
# Thai letters with a primary weight, in dictionary order: consonants, then nikhahit and vowels.
_THAI_ORDER = [chr(c) for c in range(0x0E01, 0x0E2F)] + list("ํะัาิีึืุูเแโใไฺ")
_THAI_PRIMARY = {ch: index for index, ch in enumerate(_THAI_ORDER)}
# Letters that sort as others, told apart at the third level: ๅ as า, ำ as า + ํ.
_THAI_VARIANTS = {"ๅ": "า", "ำ": "าํ"}
# Marks told apart at the second level only (tone marks and the like), in ICU's order.
_THAI_SECONDARY = {ch: index for index, ch in enumerate("๎์็่้๊๋", start=1)}
# Ignored but for the final tie-break, like spaces and punctuation.
_THAI_VARIABLE = frozenset("ฯๆ๏๚๛")
# Latin accents at the second level, in the order of the Unicode collation table.
_ACCENTS = {
    "\u0301": 1, "\u0300": 2, "\u0306": 3, "\u0302": 4, "\u030c": 5, "\u030a": 6,
    "\u0308": 7, "\u030b": 8, "\u0303": 9, "\u0307": 10, "\u0327": 11, "\u0328": 12,
    "\u0304": 13,
}  # fmt: skip

_SYMBOL, _CURRENCY, _DIGIT, _THAI, _LATIN, _OTHER = (n << 24 for n in range(1, 7))
_VARIABLE_CATEGORIES = frozenset(
    {"Zs", "Zl", "Zp", "Cc", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"}
)


def _elements(text: str):
    """(primary, secondary, tertiary) for each character that counts, leading vowels swapped
    with the consonant after them. Spaces, punctuation and controls yield nothing, and neither
    do the marks that follow them (as in ICU's "shifted" handling)."""
    text = unicodedata.normalize("NFD", text)
    i, size = 0, len(text)
    after_variable = False
    while i < size:
        ch = text[i]
        if ch == "ํ" and i + 1 < size and text[i + 1] in "าๅ":  # ํา sorts as าํ
            yield (_THAI + _THAI_PRIMARY["า"], 0, 0 if text[i + 1] == "า" else 2)
            yield (_THAI + _THAI_PRIMARY[ch], 0, 0)
            after_variable = False
            i += 2
            continue
        if ch in LEADING_VOWELS and i + 1 < size and text[i + 1] in CONSONANTS:
            yield (_THAI + _THAI_PRIMARY[text[i + 1]], 0, 0)
            yield (_THAI + _THAI_PRIMARY[ch], 0, 0)
            after_variable = False
            i += 2
            continue
        i += 1
        if ch in _THAI_PRIMARY:
            after_variable = False
            yield (_THAI + _THAI_PRIMARY[ch], 0, 0)
        elif ch in _THAI_VARIANTS:
            after_variable = False
            for base in _THAI_VARIANTS[ch]:
                yield (_THAI + _THAI_PRIMARY[base], 0, 2)
        elif ch in _THAI_SECONDARY:
            if not after_variable:
                yield (0, _THAI_SECONDARY[ch], 0)
            continue
        elif ch in _THAI_VARIABLE:
            after_variable = True
            continue
        else:
            category = unicodedata.category(ch)
            if category in _VARIABLE_CATEGORIES:
                after_variable = True
                continue
            if category[0] == "M":
                if not after_variable:
                    yield (0, _ACCENTS.get(ch, 100 + ord(ch)), 0)
                continue
            after_variable = False
            if category == "Nd":
                yield (_DIGIT + unicodedata.decimal(ch), 0, 0)
            elif category == "Sc":
                yield (_CURRENCY + ord(ch), 0, 0)
            elif category[0] in "SN":
                yield (_SYMBOL + ord(ch), 0, 0)
            elif "a" <= ch.lower() <= "z":
                yield (_LATIN + ord(ch.lower()), 0, 1 if ch.isupper() else 0)
            else:
                lower = ch.lower()
                yield (_OTHER + ord(lower[0]), 0, 1 if lower != ch else 0)


@functools.lru_cache(maxsize=8192)
def sort_key(text: str) -> tuple:
    """The key that orders ``text`` as PostgreSQL's ``COLLATE "thai"`` does: letters first,
    then marks, then case, then (for strings ICU finds equal) the code points, as PostgreSQL
    breaks such ties."""
    elements = list(_elements(text))
    primary = tuple(p for p, _, _ in elements if p)
    secondary = tuple(s for p, s, _ in elements if s or p)
    tertiary = tuple(t for p, _, t in elements if p)
    return primary, secondary, tertiary, text


def compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def thai_order(field: str):
    """An ``order_by`` item sorting ``field`` in Thai dictionary order ("-field": descending)."""
    if field.startswith("-"):
        return Collate(field[1:], COLLATION).desc()
    return Collate(field, COLLATION).asc()


def thai_sorted(items, key=lambda item: item):
    """``sorted`` in Thai dictionary order, for lists built in Python."""
    return sorted(items, key=lambda item: sort_key(str(key(item))))


def register(connection) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, _sqlite_compare)


def _sqlite_compare(left, right) -> int:
    return compare(left or "", right or "")


def _on_connection_created(sender, connection, **kwargs):
    register(connection)


connection_created.connect(_on_connection_created, dispatch_uid="core.collation.thai")


CREATE_SQL = "CREATE COLLATION IF NOT EXISTS thai (provider = icu, locale = 'th-TH')"
DROP_SQL = "DROP COLLATION IF EXISTS thai"


def create_postgresql_collation(apps, schema_editor):
    """Migration step: the ICU collation on PostgreSQL (SQLite registers its own)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_postgresql_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)
