"""Running a centre's installation: the service, the health check, backups, the guard."""
