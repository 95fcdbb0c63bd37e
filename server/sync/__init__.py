"""The server side of sync: applying pushed changesets (``push``)."""
