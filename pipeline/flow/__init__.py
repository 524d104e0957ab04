"""The orchestrator: one batch through the stages, and the watched inbox."""
