"""paperhub: a self-hosted research-paper discovery hub."""
