"""The signed-scan loop: the copier's folder back into the archive."""
