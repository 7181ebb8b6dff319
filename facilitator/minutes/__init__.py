"""The minutes (协商纪要) of a meeting: built from its event log, finalised into versions.

* ``builder``   pure: the event log + the case record → a MinutesDocument (no database);
* ``narrative`` pure: the clerk's text sections (``minutes.write``) read into the model;
* ``load``      the thin loader: database rows → the plain data the builder takes;
* ``versions``  finalised versions, corrections and sign-offs (rows), and the live draft.
"""
