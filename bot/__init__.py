"""Telegram front end over :mod:`rag`."""
