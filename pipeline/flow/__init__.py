"""The orchestrator: one batch through the stages (process), whether a form may be filed
(preflight), what follows a batch (derived), the monthly reports' batch (raporty), and the
watched inbox (watch)."""
