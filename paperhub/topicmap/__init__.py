"""The topic map: every paper as a point in 2D, near papers about the same things, in labelled clusters.

Derived from the stored paper embeddings and rebuilt by `paperhub map build` (layout.py and labels.py are
pure; build.py runs them over the database; store.py serves the result to the pages).
"""
