"""The shared core every package may use: who may act (permissions), API tokens, rate limits and the client's
address. It imports nothing else of paperhub's."""
