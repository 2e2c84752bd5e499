"""Reads. Every query the views, API, consumers and jobs need, named ``<entity>_<verb>``."""
