"""Resource directory, referrals out, hybrid care, family consents."""
