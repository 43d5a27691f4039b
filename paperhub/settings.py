"""The one settings module: everything that differs between installations comes from the environment."""

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF

from paperhub.env import (
    SettingError,
    data_dir,
    env_address,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_path,
    env_rate,
    env_str,
    env_time,
    env_zone,
)

# Generic Django classes (ModelAdmin[Paper], UserCreationForm[User]) can then be subscripted at run time, as their
# type hints are written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent

# Issue 16, item 6: what the hub writes (database, indexes, secret key) is for its own user alone: every
# paperhub process reads these settings first, so the mask covers them all; an older data directory is closed too.
os.umask(0o077)
DATA_DIR = data_dir()  # (made here, but for a command that only reads: paperhub.cli.missing_hub)
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except FileExistsError:
    raise SettingError(f"PAPERHUB_DATA_DIR must be a directory, not the file {str(DATA_DIR)!r}") from None
except OSError as error:
    raise SettingError(f"PAPERHUB_DATA_DIR {str(DATA_DIR)!r} cannot be created ({error.strerror})") from None
# A directory someone else owns is theirs to keep as it is, and a read-only one (a mounted copy) still serves the
# commands that only read: what must write there says so when it does.
with contextlib.suppress(OSError):
    DATA_DIR.chmod(0o700)


def _secret_key() -> str:
    """The configured key, or one generated once and kept in the data directory."""
    configured = env_str("PAPERHUB_SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        try:
            path.write_text(secrets.token_urlsafe(50))
        except OSError as error:
            raise SettingError(f"PAPERHUB_SECRET_KEY is not set and no key can be kept in {str(path)!r} "
                               f"({error.strerror}): set it, or make PAPERHUB_DATA_DIR writable") from None
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Earlier secret keys, still accepted while what they signed or sealed is replaced (sessions, reset links, the
# stored Zotero keys: docs/recommend.md); new things use SECRET_KEY.
SECRET_KEY_FALLBACKS = env_list("PAPERHUB_SECRET_KEY_FALLBACKS", "")
DEBUG = env_bool("PAPERHUB_DEBUG", False)
# The hub's public address (https://papers.example.org): every absolute link the hub writes (pages' canonical
# address, feeds, mail, MCP answers) starts with it when set; unset, with the request's own, and where there is no
# request (a command sending mail, `paperhub mcp`), with PAPERHUB_BIND's address (paperhub.core.addresses).
PAPERHUB_BASE_URL = env_address("PAPERHUB_BASE_URL")
ALLOWED_HOSTS = env_list("PAPERHUB_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("PAPERHUB_CSRF_TRUSTED_ORIGINS", "")
if PAPERHUB_BASE_URL:  # the hub's own public host and origin are its own: answered, and trusted for form posts
    _public = urlsplit(PAPERHUB_BASE_URL)
    ALLOWED_HOSTS.append(f"[{_public.hostname}]" if ":" in str(_public.hostname) else str(_public.hostname))
    CSRF_TRUSTED_ORIGINS.append(f"{_public.scheme}://{_public.netloc}")
# A public address with a path (https://lab.example/papers): the hub is served under it, behind a proxy that takes
# the path off (docs/operations.md). Django puts it in front of every path it makes, and the hub's cookies are its own.
FORCE_SCRIPT_NAME = urlsplit(PAPERHUB_BASE_URL).path or None
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = FORCE_SCRIPT_NAME or "/"

INSTALLED_APPS = [
    # Before the admin: both ship registration/password_*.html, and the first app's win, so the hub's own
    # reset and password change pages would otherwise show the admin's layout.
    "paperhub.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.humanize",  # intcomma: large counts on pages as 12,345
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "paperhub",
    "paperhub.core",
    "paperhub.accounts",
    "paperhub.papers",
    "paperhub.search",
    "paperhub.community",
    "paperhub.api",
    "paperhub.assistant",
    "paperhub.digests",
    "paperhub.recommend",
    "paperhub.jobs",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",  # login limits
    "ninja",  # serves the API docs page's Swagger UI from its own static files, not a CDN
]

MIDDLEWARE = [
    "paperhub.web.timing.ServerTimingMiddleware",
    "paperhub.api.errors.ErrorMessageMiddleware",  # outside the rest: their refusals of /api/ calls are told too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: answers a locked-out login with 429
]

# Logins are limited by django-axes (per client address and per account); the backend lets through
# authentication without a request (management commands, the shell), which no network client can reach.
AUTHENTICATION_BACKENDS = ["paperhub.accounts.backends.LoginLimits", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "paperhub.urls"
WSGI_APPLICATION = "paperhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["paperhub.web.templatetags.paperhub_tags"],
        },
    },
]

# SQLite is tuned for one machine: WAL lets readers run beside the one writer, IMMEDIATE transactions
# take the write lock up front so concurrent writers wait (busy_timeout) instead of failing mid-transaction.
# A new database gets 16 KB pages (a paper's row is about 2 KB): ingest 4% quicker, the file 11% smaller, reads
# as quick (docs/benchmarks.md); an existing one keeps its page size (WAL fixes it).
_SQLITE_INIT = (
    "PRAGMA page_size=16384;PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=30000;"
    "PRAGMA cache_size=-65536;PRAGMA temp_store=MEMORY"
)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'paperhub.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("PAPERHUB_DB_CONN_MAX_AGE", 60, minimum=0))
except ValueError:  # (UnknownSchemeError is one) said at start-up, not on the first query
    raise SettingError(f"DATABASE_URL must be a database URL such as sqlite:////path/paperhub.sqlite3 or "
                       f"postgres://user:pass@host:5432/name, not {DATABASE_URL!r}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0 if _db["NAME"] == ":memory:" else _db["CONN_MAX_AGE"]
    _db["OPTIONS"] = {"init_command": _SQLITE_INIT, "transaction_mode": "IMMEDIATE"}
    # Tests use a file, not Django's shared in-memory database, so concurrent writers wait on the lock
    # (busy_timeout) as they do in production instead of failing with "table is locked".
    _db["TEST"] = {"NAME": str(DATA_DIR / f"test-paperhub-{os.getpid()}.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_zone("PAPERHUB_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Mail (password resets now, digests later): Django's SMTP backend, or the console for development.
EMAIL_BACKEND = env_str("PAPERHUB_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("PAPERHUB_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PAPERHUB_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("PAPERHUB_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("PAPERHUB_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("PAPERHUB_EMAIL_TLS", False)
EMAIL_TIMEOUT = 30
# Date: headers in the hub's time zone with its offset (+0000), not "-0000", which RFC 5322 reads as a zone unknown
EMAIL_USE_LOCALTIME = True
DEFAULT_FROM_EMAIL = env_str("PAPERHUB_EMAIL_FROM", "paperhub <paperhub@localhost>")
EMAIL_FILE_PATH = env_path("PAPERHUB_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # for the file-based backend

# (under PAPERHUB_BASE_URL's path, whole: the static files' storage may be made before any request sets the prefix)
STATIC_URL = f"{FORCE_SCRIPT_NAME}/static/" if FORCE_SCRIPT_NAME else "static/"
STATIC_ROOT = DATA_DIR / "static"
with contextlib.suppress(OSError):  # a read-only data directory: collectstatic says so when it writes
    STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True

LOG_LEVEL = env_choice("PAPERHUB_LOG_LEVEL", "INFO", ["debug", "info", "warning", "error", "critical"]).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # A job's described failure (arXiv unreachable, say) is one line in the log, not a traceback (jobs/failures.py).
    # sentence-transformers tells every model load at INFO ("Loading SentenceTransformer model from <path>"): noise
    # on every `paperhub search`. django-axes' database handler tells every login at INFO ("Cleaned up 0 expired
    # access attempts", "Successful login by ..."): only its warnings (a lockout) are worth a line.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django_tasks": {"filters": ["failed_job_line"]},
                "sentence_transformers": {"level": "WARNING"}, "axes.handlers.database": {"level": "WARNING"},
                # A request Django refuses (a Host the hub does not serve, too many fields or files, too big a
                # body): one WARNING line saying what, not an ERROR with Django's traceback (one per scanner's probe).
                **{f"django.security.{refusal}": {"filters": ["refused_request_line"]} for refusal in (
                    "DisallowedHost", "TooManyFieldsSent", "TooManyFilesSent", "RequestDataTooBig",
                    "SuspiciousMultipartForm")},
                "django.request": {"filters": ["unreadable_body_line"]}},
}

# --- paperhub ---------------------------------------------------------------------------------------------
PAPERHUB_CATEGORIES = env_list("PAPERHUB_CATEGORIES", "cs.CL,cs.LG,cs.AI,cs.CV")
PAPERHUB_BOOTSTRAP = env_str("PAPERHUB_BOOTSTRAP")
PAPERHUB_BOOTSTRAP_DAYS = env_int("PAPERHUB_BOOTSTRAP_DAYS", 3, minimum=1)
PAPERHUB_ARXIV_API_URL = env_str("PAPERHUB_ARXIV_API_URL", "https://export.arxiv.org/api/query")
PAPERHUB_ARXIV_API_DELAY = env_float("PAPERHUB_ARXIV_API_DELAY", 3.0, minimum=0)
PAPERHUB_OAI_URL = env_str("PAPERHUB_OAI_URL", "https://oaipmh.arxiv.org/oai")
PAPERHUB_OAI_DELAY = env_float("PAPERHUB_OAI_DELAY", 3.0, minimum=0)
PAPERHUB_HF_URL = env_str("PAPERHUB_HF_URL", "https://huggingface.co")
PAPERHUB_GITHUB_API_URL = env_str("PAPERHUB_GITHUB_API_URL", "https://api.github.com")
PAPERHUB_GITHUB_TOKEN = env_str("PAPERHUB_GITHUB_TOKEN")
PAPERHUB_GITHUB_DELAY = env_float("PAPERHUB_GITHUB_DELAY", 1.0, minimum=0)
# 50 an hour fits GitHub's 60 calls an hour without a token; with one (5,000 an hour) raise it.
PAPERHUB_GITHUB_PER_RUN = env_int("PAPERHUB_GITHUB_PER_RUN", 50, minimum=0)
PAPERHUB_ZOTERO_API_URL = env_str("PAPERHUB_ZOTERO_API_URL", "https://api.zotero.org")
PAPERHUB_ZOTERO_DELAY = env_float("PAPERHUB_ZOTERO_DELAY", 1.0, minimum=0)
PAPERHUB_ZOTERO_RATE = env_rate("PAPERHUB_ZOTERO_RATE", "20/hour")
PAPERHUB_HTTP_TIMEOUT = env_float("PAPERHUB_HTTP_TIMEOUT", 30.0, minimum=0.1)
PAPERHUB_HTTP_RETRIES = env_int("PAPERHUB_HTTP_RETRIES", 5, minimum=0)
PAPERHUB_INGEST_BATCH = env_int("PAPERHUB_INGEST_BATCH", 5000, minimum=1)
PAPERHUB_EMBED_MODEL = env_str("PAPERHUB_EMBED_MODEL", "minilm")
PAPERHUB_EMBED_MAX_TOKENS = env_int("PAPERHUB_EMBED_MAX_TOKENS", 256, minimum=1)
# Transformer embedding runs as tasks on the "embed" queue (docs/operations.md): the device (auto: CUDA when torch
# sees a GPU), texts per forward pass (0: 32 on a CPU, 256 on a GPU), papers per task, the embed workers that
# `paperhub serve` starts, and the threads each uses (they run at idle priority: pages go first).
PAPERHUB_EMBED_DEVICE = env_choice("PAPERHUB_EMBED_DEVICE", "auto", ["auto", "cpu", "cuda", "mps"], r"cuda:\d+")
PAPERHUB_EMBED_BATCH = env_int("PAPERHUB_EMBED_BATCH", 0, minimum=0)
PAPERHUB_EMBED_TASK_PAPERS = env_int("PAPERHUB_EMBED_TASK_PAPERS", 128, minimum=1)
PAPERHUB_EMBED_WORKERS = env_int("PAPERHUB_EMBED_WORKERS", 1, minimum=0)
PAPERHUB_EMBED_THREADS = env_int("PAPERHUB_EMBED_THREADS", 1, minimum=1)
PAPERHUB_SEARCH_DIR = env_path("PAPERHUB_SEARCH_DIR", str(DATA_DIR / "search"))
PAPERHUB_BIND = env_str("PAPERHUB_BIND", "127.0.0.1:8000")
PAPERHUB_WEB_WORKERS = env_int("PAPERHUB_WEB_WORKERS", 2, minimum=1)
PAPERHUB_WEB_THREADS = env_int("PAPERHUB_WEB_THREADS", 4, minimum=1)
# (for the test suite: a web worker that is slow to warm, as a big hub on a busy machine is)
PAPERHUB_WARM_DELAY = env_float("PAPERHUB_WARM_DELAY", 0.0, minimum=0)

# Feeds: a day runs from the rollover time to the next, in the feed's time zone.
PAPERHUB_FEED_TIME_ZONE = env_zone("PAPERHUB_FEED_TIME_ZONE", "UTC")
PAPERHUB_FEED_ROLLOVER = env_time("PAPERHUB_FEED_ROLLOVER", "00:00")
PAPERHUB_FEED_KEYWORDS = env_list("PAPERHUB_FEED_KEYWORDS", "")
# Daily is on by default: a hub without feed rules places the categories it fetches; "none" (or empty) turns it off.
PAPERHUB_FEED_CATEGORIES = [code for code in env_list(
    "PAPERHUB_FEED_CATEGORIES", "" if PAPERHUB_FEED_KEYWORDS else ",".join(PAPERHUB_CATEGORIES)) if code != "none"]
PAPERHUB_TRENDING_GRAVITY = env_float("PAPERHUB_TRENDING_GRAVITY", 1.5, minimum=0)
PAPERHUB_TRENDING_DAYS = env_int("PAPERHUB_TRENDING_DAYS", 14, minimum=1)
PAPERHUB_SIGNUP_OPEN = env_bool("PAPERHUB_SIGNUP_OPEN", True)
PAPERHUB_SUBMIT_DAILY_QUOTA = env_int("PAPERHUB_SUBMIT_DAILY_QUOTA", 5, minimum=0)
PAPERHUB_SUBMIT_MAX_AGE_DAYS = env_int("PAPERHUB_SUBMIT_MAX_AGE_DAYS", 14, minimum=1)
# Submissions are fetched from arXiv by a worker: each call's timeout, and the longest Retry-After or backoff it
# waits for (a longer one fails the submission at once rather than hold the worker).
PAPERHUB_SUBMIT_TIMEOUT = env_float("PAPERHUB_SUBMIT_TIMEOUT", 10.0, minimum=0.1)
PAPERHUB_SUBMIT_MAX_WAIT = env_float("PAPERHUB_SUBMIT_MAX_WAIT", 30.0, minimum=0)
# The largest library file (BibTeX, CSL JSON) For you imports, in bytes; a worker matches it.
PAPERHUB_IMPORT_MAX_BYTES = env_int("PAPERHUB_IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
PAPERHUB_IMPORT_DAILY_QUOTA = env_int("PAPERHUB_IMPORT_DAILY_QUOTA", 20, minimum=0)
PAPERHUB_API_RATE_ANON = env_rate("PAPERHUB_API_RATE_ANON", "120/min")
PAPERHUB_API_RATE_TOKEN = env_rate("PAPERHUB_API_RATE_TOKEN", "600/min")
# The API token `paperhub mcp` (the MCP server over stdio) acts with; over HTTP each request brings its own.
PAPERHUB_MCP_TOKEN = env_str("PAPERHUB_MCP_TOKEN", "")
PAPERHUB_SUBSCRIBE_RATE = env_rate("PAPERHUB_SUBSCRIBE_RATE", "10/hour")
PAPERHUB_SUBSCRIBE_ADDRESS_RATE = env_rate("PAPERHUB_SUBSCRIBE_ADDRESS_RATE", "3/hour")
# Addresses (mailing lists) one collection may be mailed to, confirmed or waiting (docs/digests.md).
PAPERHUB_COLLECTION_MAILINGS_MAX = env_int("PAPERHUB_COLLECTION_MAILINGS_MAX", 5, minimum=0)
# Authorship claims (docs/web.md, "Claiming authorship"): claims per account, and claims one account may have
# waiting for a moderator at once.
PAPERHUB_CLAIM_RATE = env_rate("PAPERHUB_CLAIM_RATE", "20/hour")
PAPERHUB_CLAIM_PENDING_MAX = env_int("PAPERHUB_CLAIM_PENDING_MAX", 10, minimum=0)
# Comments and replies (docs/web.md, "Comments"): per account a short burst and a day's worth, and per client
# address (an account made for each burst), through the pages and the API together.
PAPERHUB_COMMENT_RATE = env_rate("PAPERHUB_COMMENT_RATE", "5/min")
PAPERHUB_COMMENT_DAILY_RATE = env_rate("PAPERHUB_COMMENT_DAILY_RATE", "100/day")
PAPERHUB_COMMENT_ADDRESS_RATE = env_rate("PAPERHUB_COMMENT_ADDRESS_RATE", "20/min")
# The most papers one collection holds (its page and API are paged; its BibTeX and Zotero push take it whole).
PAPERHUB_COLLECTION_MAX_PAPERS = env_int("PAPERHUB_COLLECTION_MAX_PAPERS", 2000, minimum=1)
# The most collections one account owns (each create counts them with the account's row locked).
PAPERHUB_COLLECTIONS_MAX = env_int("PAPERHUB_COLLECTIONS_MAX", 500, minimum=1)
# The most collaborators one collection has besides its owner.
PAPERHUB_COLLECTION_MAX_COLLABORATORS = env_int("PAPERHUB_COLLECTION_MAX_COLLABORATORS", 50, minimum=0)
# At most one mail per author per paper this often: comments in between come together in the next.
PAPERHUB_COMMENT_MAIL_MINUTES = env_int("PAPERHUB_COMMENT_MAIL_MINUTES", 60, minimum=0)
# Rank badges: "#N Paper of the day / week / month" for the top N of each finished period.
PAPERHUB_RANK_BADGES = env_int("PAPERHUB_RANK_BADGES", 3, minimum=0)
# Accounts (docs/operations.md, "Running in public"): sign-ups per client address, password resets per client
# address and per target address, verification mails per account; failed logins before a lockout, per client
# address or per account, and the minutes it lasts after the last failure.
PAPERHUB_SIGNUP_RATE = env_rate("PAPERHUB_SIGNUP_RATE", "5/hour")
PAPERHUB_RESET_RATE = env_rate("PAPERHUB_RESET_RATE", "10/hour")
PAPERHUB_RESET_ADDRESS_RATE = env_rate("PAPERHUB_RESET_ADDRESS_RATE", "3/hour")
PAPERHUB_VERIFY_RATE = env_rate("PAPERHUB_VERIFY_RATE", "3/hour")
PAPERHUB_VERIFY_ADDRESS_RATE = env_rate("PAPERHUB_VERIFY_ADDRESS_RATE", "3/hour")
# Wrong current passwords per account from a signed-in session (changing the address or the password); over it
# even the right one is refused until the window ends.
PAPERHUB_PASSWORD_GUESS_RATE = env_rate("PAPERHUB_PASSWORD_GUESS_RATE", "10/hour")
PAPERHUB_LOGIN_FAILURES = env_int("PAPERHUB_LOGIN_FAILURES", 10, minimum=1)
PAPERHUB_LOGIN_LOCKOUT_MINUTES = env_int("PAPERHUB_LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = PAPERHUB_LOGIN_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=PAPERHUB_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # either one locks: many tries from one place, or at one account
AXES_CLIENT_IP_CALLABLE = "paperhub.core.limits.client_address"  # honours PAPERHUB_PROXIES like every limit
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = False  # else logging in to one's own account would clear the tries at someone else's
AXES_VERBOSE = False  # no banner on every command
# How many reverse proxies stand in front of the hub: the client address for rate limits is then read from
# X-Forwarded-For; with 0 it is the connection's address (a client cannot forge it).
NINJA_NUM_PROXIES = env_int("PAPERHUB_PROXIES", 0, minimum=0)
PAPERHUB_RECOMMEND_DAYS = env_int("PAPERHUB_RECOMMEND_DAYS", 30, minimum=1)

# Background tasks: a queue in the database, run by `paperhub worker` processes (started by `paperhub serve`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "embed", "mail"]}}
PAPERHUB_WORKERS = env_int("PAPERHUB_WORKERS", 1, minimum=0)
# The periodic jobs the workers enqueue by themselves (each once per period, however many workers run).
PAPERHUB_SCHEDULE = env_list("PAPERHUB_SCHEDULE", "arxiv,hf-daily,digests,github,keywords,zotero,prune")
# How long the results of finished tasks are kept (the `prune` job deletes older ones); at least a day, so that
# `paperhub index status` has the last minutes' embed batches to measure the rate on.
PAPERHUB_TASK_KEEP_DAYS = env_int("PAPERHUB_TASK_KEEP_DAYS", 7, minimum=1)
PAPERHUB_FAILED_TASK_KEEP_DAYS = env_int("PAPERHUB_FAILED_TASK_KEEP_DAYS", 30, minimum=1)

# --- Issue 16, item 6: running in public ----------------------------------------------------------------------
# Behind TLS (PAPERHUB_HTTPS): cookies only over HTTPS, plain HTTP redirected, browsers told to stay on HTTPS.
PAPERHUB_HTTPS = env_bool("PAPERHUB_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PAPERHUB_HTTPS
SECURE_SSL_REDIRECT = env_bool("PAPERHUB_SSL_REDIRECT", PAPERHUB_HTTPS)
SECURE_HSTS_SECONDS = env_int("PAPERHUB_HSTS_SECONDS", 31536000 if PAPERHUB_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PAPERHUB_HSTS_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("PAPERHUB_HSTS_PRELOAD", False)
# HSTS for subdomains and the browsers' preload list bind more than this hub, for months: the operator's choice
# (the two settings above), not a mistake for `check --deploy` to warn about.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
# The proxy tells the scheme the client used; believed only from a proxy (a client could claim it otherwise).
if env_bool("PAPERHUB_FORWARDED_PROTO", NINJA_NUM_PROXIES > 0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every response (django-csp): script and style only from the hub's own files, so
# markup slipped into a page cannot run or restyle it. The API docs page has its own (paperhub.api.api).
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF], "script-src": [SELF], "style-src": [SELF], "img-src": [SELF, "data:"],
    "connect-src": [SELF], "font-src": [SELF], "object-src": [NONE], "base-uri": [NONE], "frame-ancestors": [NONE],
    "form-action": [SELF],
}}
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")

# Server-Timing shows anyone how long each request took: only where someone measures (bench.web, dev tools).
PAPERHUB_SERVER_TIMING = env_bool("PAPERHUB_SERVER_TIMING", False)

# Limits per client (paperhub.web.limits): bodies in bytes (413 over them, checked before anything is read; the
# library import's body may hold a file of PAPERHUB_IMPORT_MAX_BYTES),
# and requests to the expensive pages and to the feeds per address (429 with Retry-After over them).
PAPERHUB_MAX_BODY = env_int("PAPERHUB_MAX_BODY", 2 * 1024 * 1024, minimum=1)
# Those caps hold every body before Django reads it (411 for one of no stated length), so Django's own 2.5 MB cap on
# the form fields of a body is not needed: it refused the library import's pasted text past half its 5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = None
PAPERHUB_PAGE_RATE = env_rate("PAPERHUB_PAGE_RATE", "300/min")
PAPERHUB_FEED_RATE = env_rate("PAPERHUB_FEED_RATE", "120/min")
# After the CSP middleware, so refusals carry the policy too; before anything that reads a body.
MIDDLEWARE.insert(MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1, "paperhub.web.limits.RequestLimitsMiddleware")
# a form's address opened as a page: say so (before django-axes, which asks to be last)
MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "paperhub.web.methods.FormOnlyPageMiddleware")

# Tokens in URLs (private feeds, digest, reset and feedback links) and credentials never reach a log line.
LOGGING["filters"] = {"redact": {"()": "paperhub.logs.RedactSecrets"}, "role": {"()": "paperhub.logs.ProcessRole"},
                      "failed_job_line": {"()": "paperhub.jobs.failures.FailedJobLine"},
                      "refused_request_line": {"()": "paperhub.logs.RefusedRequestLine"},
                      "unreadable_body_line": {"()": "paperhub.logs.UnreadableBodyLine"}}
# Every process of a hub (web, workers, the index watcher, cron's commands) may write to one stream: each line says
# when, how bad, and which process (its command and pid), e.g. "2026-12-05 14:30:01 INFO worker[1234] name: ...".
LOGGING["formatters"] = {"line": {"format": "%(asctime)s %(levelname)s %(role)s[%(process)d] %(name)s: %(message)s",
                                  "datefmt": "%Y-%m-%d %H:%M:%S"}}
LOGGING["handlers"] = {"console": {"class": "logging.StreamHandler", "filters": ["redact", "role"],
                                   "formatter": "line"}}
