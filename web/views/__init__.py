"""The agent's web pages: server-rendered templates, enhanced by the modules in static/svar."""
