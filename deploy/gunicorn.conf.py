"""gunicorn settings for cbrnet behind nginx (docs/deploy.md). Installed as /etc/cbrnet/gunicorn.conf.py.

Every value here can be overridden on the command line; the application itself is configured only
by CBRNET_* variables (/etc/cbrnet/cbrnet.env, docs/configuration.md).
"""

import multiprocessing

wsgi_app = "cbrnet.wsgi:application"

# Only nginx on this machine talks to gunicorn. That is what makes CBRNET_BEHIND_PROXY=true safe:
# the X-Forwarded-Proto and X-Real-IP headers can only have been set by nginx.
bind = "127.0.0.1:8000"
forwarded_allow_ips = "127.0.0.1"

# Synchronous workers: Django views here are synchronous and nginx buffers slow clients, so a
# worker is never held by a slow link. (2 x cores) + 1, capped: more workers than the database
# can serve concurrently only adds waiting.
workers = min(multiprocessing.cpu_count() * 2 + 1, 9)
worker_class = "sync"
# Long enough for a large list export or an inline import; longer jobs run in the task worker.
timeout = 120
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in any library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200

# Logs go to standard error, i.e. the systemd journal (journalctl -u cbrnet-web).
accesslog = "-"
errorlog = "-"
loglevel = "info"
# $request_id from nginx arrives as X-Request-ID and is stored with every audit entry of the request.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms req=%({x-request-id}i)s'

proc_name = "cbrnet-web"
# /tmp may be a small tmpfs or noexec; worker heartbeat files belong in shared memory.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - heartbeat files only, no data
# gunicorn 25+ opens a control socket under $HOME, which the hardened unit hides (ProtectHome=yes);
# `systemctl reload/restart` is the control interface here.
control_socket_disable = True


def post_worker_init(worker):
    """Load what Django otherwise loads on first use, before the worker takes its first request:
    every URL pattern (and with them every view and the API) and every HTML template. Lazily, this
    cost the first pages served by each worker seconds: after every start, reload and recycling."""
    import os

    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - loading is the point
    for engine in engines.all():
        for loader in getattr(engine, "engine", engine).template_loaders:
            for directory in (path for source in getattr(loader, "loaders", [loader]) for path in source.get_dirs()):
                for root, _dirs, files in os.walk(directory):
                    for name in files:
                        if name.endswith(".html"):
                            try:
                                engine.get_template(os.path.relpath(os.path.join(root, name), directory))
                            except Exception:  # noqa: BLE001, S110 - shown to whoever opens the page, not at boot
                                pass
