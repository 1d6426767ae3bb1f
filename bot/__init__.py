"""resbot: answers about United Nations resolutions with verified paragraph citations."""

__version__ = "0.1.0"
