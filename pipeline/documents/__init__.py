"""Documents made from the archive, each asking the case model (pipeline/sprawa/case.py):
monthly reports and their summary, the teczka, the half-yearly figures, the court report,
the checklists' files and the dashboard; every kierownik's document by one path
(kierownik.py)."""
