"""The shared core every package may use: who may act (permissions), API tokens, rate limits, the client's
address and this process's identity (process.py). It imports nothing else of paperhub's."""
