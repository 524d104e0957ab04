"""The demo centre: a fictional centre's forms, dropped through the watched inbox."""
