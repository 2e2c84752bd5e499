"""The response-time metrics API: the dashboard's figures as JSON, with the same filters."""
