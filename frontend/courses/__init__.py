"""The course pages: views, forms and urls."""
