"""The demo world. Every name is obviously fictional; every address ends in .test."""

from datetime import date

DEMO_PASSWORD = "demo river otter lantern"

# Fixed TOTP secrets so the printed logins stay valid across `make run`s (demo only).
STAFF = [
    # email, role, display name, program slug, TOTP secret (hex)
    (
        "director@demo.openiop.test",
        "director",
        "Dir. Morgan Demo",
        "riverbend-demo",
        "3132333435363738393031323334353637383930",
    ),
    (
        "clinician@demo.openiop.test",
        "clinician",
        "Dana Clinician (demo)",
        "riverbend-demo",
        "4142434445464748494a4b4c4d4e4f5051525354",
    ),
    (
        "clinician2@demo.openiop.test",
        "clinician",
        "Kai Therapist (demo)",
        "riverbend-demo",
        "5152535455565758595a5b5c5d5e5f6061626364",
    ),
    (
        "facilitator@demo.openiop.test",
        "facilitator",
        "Fran Facilitator (demo)",
        "riverbend-demo",
        "6162636465666768696a6b6c6d6e6f7071727374",
    ),
    (
        "other.clinician@demo.openiop.test",
        "clinician",
        "Oli Elsewhere (demo)",
        "lakeside-demo",
        "7172737475767778797a7b7c7d7e7f8081828384",
    ),
    (
        "compliance@demo.openiop.test",
        "compliance",
        "Casey Compliance (demo)",
        None,
        "8182838485868788898a8b8c8d8e8f9091929394",
    ),
    (
        "admin@demo.openiop.test",
        "admin",
        "Ari Admin (demo)",
        None,
        "9192939495969798999a9b9c9d9e9fa0a1a2a3a4",
    ),
]

PROGRAMS = [
    # slug, name, zone, level of care, on-call, dial-in
    (
        "riverbend-demo",
        "Riverbend Virtual IOP (demo)",
        "America/Chicago",
        "iop_adult",
        "+1 555 0100 100",
        "+1 555 0100 200",
    ),
    (
        "lakeside-demo",
        "Lakeside Teen IOP (demo)",
        "America/New_York",
        "iop_adolescent",
        "+1 555 0100 300",
        "+1 555 0100 400",
    ),
]

CLIENTS = [
    # email, first, last, date of birth, zone, program, primary clinician, facilitator
    (
        "alex@demo.openiop.test",
        "Alex",
        "Demo-Client",
        date(1990, 1, 1),
        "America/Chicago",
        "riverbend-demo",
        "clinician@demo.openiop.test",
        "facilitator@demo.openiop.test",
    ),
    (
        "sam@demo.openiop.test",
        "Sam",
        "Sample-Person",
        date(1985, 6, 15),
        "America/New_York",
        "riverbend-demo",
        "clinician@demo.openiop.test",
        "facilitator@demo.openiop.test",
    ),
    (
        "jordan@demo.openiop.test",
        "Jordan",
        "Placeholder",
        date(1999, 3, 3),
        "Asia/Kolkata",
        "riverbend-demo",
        "clinician2@demo.openiop.test",
        None,
    ),
    (
        "kendall@demo.openiop.test",
        "Kendall",
        "Stepdown-Demo",
        date(2001, 4, 4),
        "America/Chicago",
        "riverbend-demo",
        "clinician2@demo.openiop.test",
        "facilitator@demo.openiop.test",
    ),
    (
        "riley@demo.openiop.test",
        "Riley",
        "Testcase",
        date(2009, 9, 9),
        "America/New_York",
        "lakeside-demo",
        "other.clinician@demo.openiop.test",
        None,
    ),
]

FAMILY = [("family@demo.openiop.test", "Pat Supporter (demo)")]

# A client who finished the program: discharged, with a signed summary to read and export.
DISCHARGED_CLIENT = (
    "robin.former@demo.openiop.test",
    "Robin",
    "Former-Client",
    date(1979, 11, 20),
    "America/Chicago",
    "riverbend-demo",
    "clinician@demo.openiop.test",
)
DISCHARGED_TRACK = ("Adult mood — evenings (demo)", "evening", "Adults")
DISCHARGE_SUMMARY = {
    "reason": "completed",
    "progress": "Attended groups steadily over eight weeks (fictional demo text).",
    "recommendations": "Weekly individual therapy; keep the safety plan at hand.",
    "aftercare_appointments": "Demo Counseling Center, first visit in one week.",
    "aftercare_referrals": "Community peer support group, Tuesday evenings.",
}
