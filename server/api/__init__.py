"""The HTTP API: thin routers that check the token, the role and the scope, then call a service."""
