"""The office pages, one module per section; each makes its routes on ``page_router()``."""
