"""The web face: signed-link pages for contacts, calendar feeds, and the operators' view."""
