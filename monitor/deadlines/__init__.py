"""Deadline arithmetic: pure functions over dates. No database, no clock, no network."""
