"""What the hostile tests store and send: XSS payloads, control bytes, and the pattern of anything that would run."""

import re
from datetime import date

DAY = date(2026, 11, 23)
SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert('x')>"
SVG = '"><svg onload=alert(1)>'
# Bytes XML cannot hold and terminals misread, as hostile source data or a hostile user would store them.
CONTROL = "\x00\x01\x08\x0b\x0c\x1b[31m\x7f\x85"
# What a row can already hold (PostgreSQL's text cannot hold NUL; the services strip it from what users send).
STORED_CONTROL = CONTROL.replace("\x00", "")
# Anything that would run if it reached a page unescaped: tags, event handlers, javascript: links.
DANGER = re.compile(r"<script>alert|<img src=x onerror|<svg onload|href=\"\s*javascript:|src=\"\s*javascript:", re.I)
