"""The resident's notification pages: views, forms and urls."""
