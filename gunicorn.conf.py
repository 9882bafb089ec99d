"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py kpitracker.wsgi``.

Threaded workers (gthread), because most of a request's time here is spent waiting on
PostgreSQL: a request held by a lock or a slow query holds one thread, not a whole process, so
the login page, the public status page and static files keep answering beside it (with three
sync workers, three such requests stopped the whole site). The database's own statement and
lock timeouts (kpitracker/settings.py) bound how long any thread waits. Processes add memory,
threads are cheap: the defaults, 2 × cores + 1 workers × 4 threads, serve 20 requests at once
on the 2-core machine. Everything can be set from the environment.
"""

import multiprocessing
import os
import time

# Log times in Bangkok, as the app's own log lines are (the master process does not load Django).
os.environ.setdefault("TZ", "Asia/Bangkok")
time.tzset()

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.getenv("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.getenv("GUNICORN_THREADS", "4"))
# The largest .xlsx imports run inside the request (docs/imports.md): up to a minute or two.
timeout = int(os.getenv("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# A worker takes a connection only when one of its threads is free (gthread would otherwise
# queue up to 1,000 behind busy threads), so a request never waits inside a stuck worker while
# another worker is idle; idle keep-alive connections are closed soon for the same reason.
worker_connections = threads
keepalive = 2
# Recycle each worker after a few thousand requests, staggered, so that none grows without bound.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Only the reverse proxy on this host may say the request came over HTTPS.
forwarded_allow_ips = os.getenv("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = "-"
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
# Time stamp, client, method and path, status, bytes, duration in µs. The path without its query
# string: searches carry names and national IDs, which must not end up in log files (PDPA).
access_log_format = '%(t)s ACCESS %(h)s "%(m)s %(U)s" %(s)s %(b)s %(D)sus'
