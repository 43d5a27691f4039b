"""Media types the front doors answer with (web may not import api, so the ones both spell live here)."""

#: What a feed reader or a script is answered with where there is no feed or no result: one line of plain text.
PLAIN = "text/plain; charset=utf-8"
