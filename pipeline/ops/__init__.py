"""Running a centre's installation (layer 8, above documents, below flow): `stan` (the health
check) with `stan_kopia` and `stanplik`, `kopia` and `restic` (backups), `proba` (the restore
drill), `straz` (the mass-change guard), `heartbeat` (the watcher's sign of life), `usluga`
(the systemd units in `units/`), `polecenia` (their CLI commands)."""
