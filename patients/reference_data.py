"""Reference data seeded by migrations: diseases with their codes, therapies with their class.

Codes follow ../shared/clinical/codes.md; the ones marked (verify) there are kept and
still unconfirmed against a terminology server.
"""

# key, name, group, subtype, SNOMED CT, ICD-10 (prefixes)
DISEASES = [
    ("ms", "Multiple sclerosis, unspecified", "ms", "", "24700007", "G35"),
    ("ms_rr", "Multiple sclerosis, relapsing-remitting", "ms", "rr", "426373005", ""),
    ("ms_sp", "Multiple sclerosis, secondary progressive", "ms", "sp", "425500002", ""),
    ("ms_pp", "Multiple sclerosis, primary progressive", "ms", "pp", "428700003", ""),
    ("sle", "Systemic lupus erythematosus", "sle", "", "55464009,200936003", "M32"),
    ("ssc", "Systemic sclerosis", "ssc", "", "89155008", "M34"),
    ("aa", "Aplastic anaemia", "aa", "", "306058006", "D61.1,D61.2,D61.3,D61.89,D61.9"),
    ("crohns", "Crohn's disease", "crohns", "", "34000006", "K50"),
    ("ra", "Rheumatoid arthritis", "ra", "", "69896004", "M05,M06"),
    ("vasculitis", "Systemic vasculitis", "vasculitis", "", "", "M30,M31"),
    (
        "cidp",
        "Chronic inflammatory demyelinating polyneuropathy",
        "cidp",
        "",
        "128209004",
        "G61.81",
    ),
    ("nmosd", "Neuromyelitis optica spectrum disorder", "nmosd", "", "25044003", "G36.0"),
    ("mg", "Myasthenia gravis", "mg", "", "91637004", "G70.0"),
    ("myositis", "Polymyositis / dermatomyositis", "myositis", "", "31384009,396230008", "M33"),
    ("t1d", "Type 1 diabetes", "t1d", "", "46635009", "E10"),
]

# key, name, class, RxNorm ingredient codes
THERAPIES = [
    ("interferon_beta", "Interferon beta", "ms_dmt_lower", "72257,190353"),
    ("glatiramer", "Glatiramer acetate", "ms_dmt_lower", "84375"),
    ("teriflunomide", "Teriflunomide", "ms_dmt_lower", "1310520"),
    ("dimethyl_fumarate", "Dimethyl fumarate", "ms_dmt_moderate", "1373478"),
    ("fingolimod", "Fingolimod", "ms_dmt_moderate", "1012892"),
    ("siponimod", "Siponimod", "ms_dmt_moderate", ""),
    ("ozanimod", "Ozanimod", "ms_dmt_moderate", ""),
    ("ponesimod", "Ponesimod", "ms_dmt_moderate", ""),
    ("natalizumab", "Natalizumab", "ms_dmt_high", "354770"),
    ("alemtuzumab", "Alemtuzumab", "ms_dmt_high", "117055"),
    ("ocrelizumab", "Ocrelizumab", "ms_dmt_high", "1876366"),
    ("ofatumumab", "Ofatumumab", "ms_dmt_high", "712566"),
    ("ublituximab", "Ublituximab", "ms_dmt_high", ""),
    ("cladribine", "Cladribine", "ms_dmt_high", "44157"),
    ("methotrexate", "Methotrexate", "immunosuppressant", "6851"),
    ("azathioprine", "Azathioprine", "immunosuppressant", "1256"),
    ("mycophenolate", "Mycophenolate", "immunosuppressant", "68149"),
    ("ciclosporin", "Ciclosporin (cyclosporine)", "immunosuppressant", "3008"),
    ("tacrolimus", "Tacrolimus", "immunosuppressant", "42316"),
    ("cyclophosphamide", "Cyclophosphamide", "immunosuppressant", "3002"),
    ("hydroxychloroquine", "Hydroxychloroquine", "immunosuppressant", "5521"),
    ("leflunomide", "Leflunomide", "immunosuppressant", ""),
    ("rituximab", "Rituximab", "biologic", "121191"),
    ("belimumab", "Belimumab", "biologic", ""),
    ("tocilizumab", "Tocilizumab", "biologic", ""),
    ("infliximab", "Infliximab", "biologic", ""),
    ("adalimumab", "Adalimumab", "biologic", ""),
    ("vedolizumab", "Vedolizumab", "biologic", ""),
    ("ustekinumab", "Ustekinumab", "biologic", ""),
    # Targeted therapies approved for NMOSD (complement C5, CD19, IL-6 receptor). No RxNorm
    # ingredient code could be confirmed here, so they match by ingredient name (codes.md).
    ("eculizumab", "Eculizumab", "biologic", ""),
    ("ravulizumab", "Ravulizumab", "biologic", ""),
    ("inebilizumab", "Inebilizumab", "biologic", ""),
    ("satralizumab", "Satralizumab", "biologic", ""),
    ("baricitinib", "Baricitinib", "jak_inhibitor", ""),
    ("tofacitinib", "Tofacitinib", "jak_inhibitor", ""),
    ("upadacitinib", "Upadacitinib", "jak_inhibitor", ""),
    ("prednisone", "Prednisone", "corticosteroid", "8640"),
    ("prednisolone", "Prednisolone", "corticosteroid", ""),
    ("methylprednisolone", "Methylprednisolone", "corticosteroid", ""),
    ("atg_equine", "Antithymocyte globulin, equine (hATG)", "aa_ist", ""),
    ("atg_rabbit", "Antithymocyte globulin, rabbit (rATG)", "aa_ist", ""),
    ("ciclosporin_aa", "Ciclosporin as part of aplastic anaemia IST", "aa_ist", "3008"),
    ("eltrombopag", "Eltrombopag", "aa_ist", ""),
    ("ivig", "Intravenous immunoglobulin", "other", ""),
    ("plasma_exchange", "Plasma exchange", "other", ""),
]


def seed(apps) -> None:
    """Create or update the reference rows (idempotent).

    Takes an app registry so the data migration can pass its historical models; tests
    that flush the database (transactional browser tests) call it with the real one.
    """
    Disease = apps.get_model("patients", "Disease")
    Therapy = apps.get_model("patients", "Therapy")
    for key, name, group, subtype, snomed, icd10 in DISEASES:
        Disease.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "group": group,
                "subtype": subtype,
                "snomed_codes": snomed,
                "icd10_codes": icd10,
            },
        )
    for key, name, therapy_class, rxnorm in THERAPIES:
        Therapy.objects.update_or_create(
            key=key, defaults={"name": name, "therapy_class": therapy_class, "rxnorm_codes": rxnorm}
        )
