"""Media files: where they are kept, how they are fetched, checked and served (issue #13)."""
