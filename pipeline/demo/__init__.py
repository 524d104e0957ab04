"""The demo centre: a fictional centre's forms, dropped through the watched inbox.
people and themes are its invented world, cases what each family's history holds, forms and
history write a family out as forms, centre builds the whole centre and drops it in waves."""
