"""Safety plans, confirmed locations, risk alerts, on-call rota, escalation."""
