"""The sync contract between laptop and server: message types, row keys, device keys, bundles.

Both the desktop and the server import this package, so the wire format is defined once.
It never imports the server, Qt or the UI; docs/sync-protocol.md is its prose description.
"""
