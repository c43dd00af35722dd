"""Views of the initiatives app, one module per concern; urls.py names them by module."""
