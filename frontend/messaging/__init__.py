"""The resident's message pages: views, forms and urls."""
