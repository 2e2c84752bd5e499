"""The managers' dashboard pages: views, server-side charts, formatting, CSV export."""
