import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded so far lives as long as the process: out of the garbage
# collector's sight, so its full collections (pauses in the slowest requests) scan
# only what came after.
gc.freeze()
