"""Fixed wording shown with consents."""

# 42 CFR § 2.32 (as amended in 2024): the notice that must accompany each disclosure made
# with the patient's written consent.
REDISCLOSURE_NOTICE = (
    "42 CFR part 2 prohibits unauthorized use or disclosure of these records. This "
    "information has been disclosed to you from records protected by federal confidentiality "
    "rules (42 CFR part 2). You may not use or share it further except as the person's "
    "written consent or those rules allow."
)
