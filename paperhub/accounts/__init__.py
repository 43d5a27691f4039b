"""Accounts: username rules, verified email addresses, and the account mails (sent from the task queue).

It sits just above the shared core (it needs only Django's auth), so digests, recommend and web may all ask
it which account, if any, has proved it reads an address.
"""
