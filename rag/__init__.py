"""Question answering over news articles with verbatim, outlet-attributed citations."""

__version__ = "0.1.0"
