"""The ground floor: settings, the exception tree, Polish words, durable writes,
the audit journal and the typed values passed between stages. Imports nothing above it."""
