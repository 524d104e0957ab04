"""Documents made from the archive: monthly reports, the teczka, the half-yearly
figures, the court report, the checklists' files and the dashboard."""
