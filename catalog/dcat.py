"""The catalog in DCAT (W3C Data Catalog Vocabulary) as JSON-LD, for the ministry's data centre
to harvest. Metadata only: titles, descriptions, owners, fields, link status — no records."""

from catalog.models import Dataset, Frequency

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    # Terms DCAT has no word for (the fields of a database, its link to the central data
    # centre); defined by this catalog under its own namespace.
    "kpit": "urn:x-kpitracker:catalog#",
    "dct:modified": {"@type": "xsd:dateTime"},
    "kpit:linkedSince": {"@type": "xsd:date"},
    "dct:accrualPeriodicity": {"@type": "@id"},
}
FREQUENCY_IRI = {value: f"http://purl.org/cld/freq/{value}" for value in Frequency.values}
ACCESS_IRI = {
    "public": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    "restricted": "http://publications.europa.eu/resource/authority/access-right/RESTRICTED",
    "confidential": "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
}
PUBLISHER = "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"


def _th(text: str) -> dict:
    return {"@value": text, "@language": "th"}


def dataset_node(dataset: Dataset, base: str) -> dict:
    node = {
        "@id": f"{base}#dataset-{dataset.number}",
        "@type": "dcat:Dataset",
        "dct:identifier": f"mso-db-{dataset.number:02d}",
        "dct:title": _th(dataset.title),
        "dct:description": _th(dataset.description),
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": _th(dataset.get_owner_display()),
            "dct:identifier": dataset.owner,
        },
        "dcat:keyword": [_th(k) for k in dataset.keyword_list],
        "dct:format": dataset.data_format,
        "dct:modified": dataset.updated_at.isoformat(),
        "kpit:fields": [_th(f) for f in dataset.field_list],
        "kpit:linkedToCentralDataCentre": dataset.linked_to_center,
        "kpit:linkedExternalAgency": [
            {
                "@type": "foaf:Organization",
                "foaf:name": _th(a.name),
                "dct:identifier": a.abbreviation,
            }
            for a in dataset.external_agencies.all()
        ],
    }
    if dataset.update_frequency:
        node["dct:accrualPeriodicity"] = FREQUENCY_IRI[dataset.update_frequency]
    if dataset.access_level:
        node["dct:accessRights"] = {"@id": ACCESS_IRI[dataset.access_level]}
    if dataset.contact:
        node["dcat:contactPoint"] = {"@type": "vcard:Kind", "vcard:fn": dataset.contact}
    if dataset.linked_since:
        node["kpit:linkedSince"] = dataset.linked_since.isoformat()
    return node


def catalog_document(base: str) -> dict:
    """``base`` is the absolute URL of the document; every node's @id hangs off it."""
    datasets = list(Dataset.objects.prefetch_related("external_agencies").order_by("number"))
    modified = max((d.updated_at for d in datasets), default=None)
    return {
        "@context": CONTEXT,
        "@id": base,
        "@type": "dcat:Catalog",
        "dct:title": _th("บัญชีข้อมูลกลาง (Data Catalog) กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"),
        "dct:description": _th(
            "รายการฐานข้อมูลของส่วนราชการในสังกัดกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ "
            "จัดทำโดยกรมพัฒนาสังคมและสวัสดิการ (ตัวชี้วัด 3.1)"
        ),
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": _th(PUBLISHER)},
        "dct:language": {"@id": "http://id.loc.gov/vocabulary/iso639-1/th"},
        "dct:modified": modified.isoformat() if modified else None,
        "dcat:dataset": [dataset_node(d, base) for d in datasets],
    }
