"""Cross-origin resource sharing for browser content that calls /xapi from another origin.

Any origin may call the LRS: the response echoes the request's Origin, and credentials stay in the Authorization
header, so no cookie is ever shared. A preflight OPTIONS request needs no credentials, since Flask responds to it
without running the view and its scope check.
"""

from __future__ import annotations

from flask_cors import CORS

from . import bp

ALLOWED_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]
ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Experience-API-Version", "If-Match", "If-None-Match",
                   "Accept-Language", "X-Request-ID"]
EXPOSED_HEADERS = ["ETag", "Last-Modified", "X-Experience-API-Version", "X-Experience-API-Consistent-Through",
                   "X-Request-ID"]
# How long a browser may cache a preflight response, in seconds.
PREFLIGHT_MAX_AGE = 3600

# send_wildcard=False echoes the Origin in place of "*"; always_send=False leaves requests without Origin alone.
CORS(bp, resources={r"/xapi/*": {}}, origins="*", send_wildcard=False, always_send=False,
     supports_credentials=False, methods=ALLOWED_METHODS, allow_headers=ALLOWED_HEADERS,
     expose_headers=EXPOSED_HEADERS, max_age=PREFLIGHT_MAX_AGE)
