"""What each entity of a meeting looks like to its clients (the views a snapshot holds and an
event's changes carry), computed from the rows. Below the commands, which record the views
of what they change, and the live layer, which sends them (redacted per role)."""
