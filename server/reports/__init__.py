"""The server's printed documents and photo renditions, made by the laptop's own report code.

``held_profile`` lays a visit the server holds out as a laptop profile (the rows a team-mate's
laptop would receive by pulling it); ``feedback`` prints its feedback sheet from that profile
with ``app.reports``; ``photos`` draws a held photo's annotations with ``app.evidence``.
"""
