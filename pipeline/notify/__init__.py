"""Deadlines reach the people who owe them: the morning e-mail digests (`asysta
powiadomienia`) and the calendars in `outbox/kalendarze/`. Only case numbers, attachment
numbers and titles, dates and counts leave through here: never a family's data."""
