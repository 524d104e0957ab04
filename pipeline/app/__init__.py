"""The `asysta` command and the commands around the archive (checks, export, erasure)."""
