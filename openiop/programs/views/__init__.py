"""Program pages, one module per area (records, referrals, onboarding, enrollment, board)."""
