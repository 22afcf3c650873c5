"""One module per form or group of forms; each ``build_*`` returns a :class:`Built`."""
