"""Service functions: one per user action. Each takes a ``Session`` first and never commits;
:class:`station.Station` frames every call in one transaction."""
