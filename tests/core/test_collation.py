"""Thai dictionary order (core.collation): provinces and names sort as a Thai reader expects, and
the database gives the same order on SQLite (Python key) and PostgreSQL (ICU)."""

import random

import pytest
from django.db import connection

from core.collation import sort_key, thai_order, thai_sorted
from core.models import Province
from core.provinces import PROVINCES

NAMES = [
    "กมล", "กอน", "ก่อน", "ก้อน", "กา", "ก่า", "ก้า", "เกา", "เก้า", "เกาะ", "เก่ง", "เกม",
    "แกง", "โกง", "ใกล้", "ไก่", "ขวัญใจ", "เข็ม", "คำ", "ค่ำ", "ฉัตรชัย", "ชนิดา", "เชิดชัย",
    "ณัฐพล", "ดวงใจ", "ธีระ", "นงลักษณ์", "นางสาว ค", "นาง ข", "นาย ก", "น.ส. ง", "ด.ช. จ",
    "บุญมี", "ประเสริฐ", "ปรีชา", "แป้น", "พรทิพย์", "เพ็ญศรี", "ไพโรจน์", "มณี", "ยุทธนา",
    "ฤทธิ์", "ลำดวน", "วันเพ็ญ", "ศรีสุดา", "สมชาย", "สมศรี", "สมหญิง", "เสาวลักษณ์",
    "โสภา", "ใส", "ไสว", "หทัยรัตน์", "อรุณ", "อำไพ", "เอกชัย", "ฮาซัน", "Somchai", "somchai",
    "John Smith", "ก-ข", "ก ข", "กข", "สมชาย 2", "สมชาย ๑", "สมชาย 10",
]  # fmt: skip


def db_sorted(words: list[str]) -> list[str]:
    """``words`` sorted by the database with the thai collation (a VALUES list, no table)."""
    values = " UNION ALL ".join(["SELECT %s AS w"] * len(words))
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT w FROM ({values}) AS t ORDER BY w COLLATE "thai"', words)
        return [row[0] for row in cursor.fetchall()]


def test_a_leading_vowel_files_under_the_consonant_after_it():
    ordered = thai_sorted(["ตาก", "เชียงใหม่", "แพร่", "ชุมพร", "เชียงราย", "พะเยา", "กระบี่"])
    assert ordered == ["กระบี่", "ชุมพร", "เชียงราย", "เชียงใหม่", "ตาก", "พะเยา", "แพร่"]


def test_tone_marks_count_only_between_otherwise_equal_words():
    assert thai_sorted(["ก้า", "เกา", "กา", "ก่า", "กาก"]) == ["กา", "ก่า", "ก้า", "กาก", "เกา"]
    assert thai_sorted(["ไก่", "กา", "แกง"]) == ["กา", "แกง", "ไก่"]


def test_thai_words_come_before_latin_and_digits_before_both():
    assert thai_sorted(["Somchai", "สมชาย", "2 ก"]) == ["2 ก", "สมชาย", "Somchai"]


@pytest.mark.django_db
def test_provinces_list_in_thai_dictionary_order_by_default():
    names = list(Province.objects.values_list("name", flat=True))
    assert len(names) == 77
    # The words with a leading vowel no longer sink to the end of the list.
    assert names.index("เชียงใหม่") < names.index("ตาก") < names.index("แพร่") < names.index("ยะลา")
    assert names[:5] == ["กระบี่", "กรุงเทพมหานคร", "กาญจนบุรี", "กาฬสินธุ์", "กำแพงเพชร"]
    assert names[-1] == "อุบลราชธานี"
    assert names == thai_sorted(name for _, name, _ in PROVINCES)


@pytest.mark.django_db
def test_a_province_choice_list_is_in_thai_order():
    from django import forms

    field = forms.ModelChoiceField(Province.objects.all())
    labels = [label for _, label in field.choices][1:]
    assert labels.index("เชียงใหม่") < labels.index("ตาก")


@pytest.mark.django_db
def test_the_database_sorts_as_the_python_key_provinces_and_names():
    provinces = [name for _, name, _ in PROVINCES]
    assert db_sorted(provinces) == sorted(provinces, key=sort_key)
    assert db_sorted(NAMES) == sorted(NAMES, key=sort_key)


@pytest.mark.django_db
def test_the_database_sorts_as_the_python_key_random_thai_strings():
    alphabet = [chr(c) for c in range(0x0E01, 0x0E3B)] + [chr(c) for c in range(0x0E3F, 0x0E5C)]
    alphabet += list(" .-()/,'abAZ09_&é")
    rng = random.Random(2563)
    for _ in range(40):
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(40)]
        assert db_sorted(words) == sorted(words, key=sort_key)


@pytest.mark.django_db
def test_thai_order_serves_order_by_ascending_and_descending():
    up = list(Province.objects.order_by(thai_order("name")).values_list("name", flat=True)[:3])
    down = list(Province.objects.order_by(thai_order("-name")).values_list("name", flat=True))
    assert up == ["กระบี่", "กรุงเทพมหานคร", "กาญจนบุรี"]
    assert down[0] == "อุบลราชธานี" and down[-3:] == up[::-1]


@pytest.mark.django_db
def test_a_relation_ordered_by_province_follows_the_thai_order(make_user):
    from core.models import Profile

    chiang_mai = Province.objects.get(code="50")
    tak = Province.objects.get(code="63")
    make_user(username="in-tak", province=tak)
    make_user(username="in-chiang-mai", province=chiang_mai)
    names = list(
        Profile.objects.filter(province__isnull=False)
        .order_by("province")
        .values_list("province__name", flat=True)
    )
    assert names == ["เชียงใหม่", "ตาก"]


@pytest.mark.django_db
def test_postgresql_has_the_icu_collation():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = 'thai'")
        assert cursor.fetchone() == ("i",)


@pytest.mark.django_db
def test_the_admin_lists_provinces_in_thai_order(client):
    from django.contrib.auth.models import User

    admin = User.objects.create_superuser("root", password="x-test-pass-9")
    client.force_login(admin)
    html = client.get("/admin/core/province/").content.decode()
    assert html.index("เชียงใหม่") < html.index("ตาก") < html.index("แพร่")
