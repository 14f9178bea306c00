"""The circle pages (a circle, its members, and what it does together): views, forms and
urls."""
