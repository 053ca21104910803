"""A scripted site for `release-guard verify` tests: one plain-HTTP and one HTTPS listener on
127.0.0.1, answering each request as the named scenario says.

Usage: scripted_site.py SCENARIO --cert CERT --key KEY [--lifetime SECONDS]

Prints {"http": PORT, "https": PORT} on the first line once both listeners accept connections,
then "REQUEST <scheme> <path>" for every request, and exits after --lifetime seconds.
"""

import argparse
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STS_ONE_YEAR = "max-age=31536000; includeSubDomains"
DJANGO_COOKIES = [
    "sessionid=opaque; HttpOnly; Path=/; SameSite=Lax; Secure",
    "csrftoken=opaque; Path=/; SameSite=Lax; Secure",
]


def good_https(path, ports):
    return 200, [("Strict-Transport-Security", STS_ONE_YEAR)] + cookies(DJANGO_COOKIES)


def cookies(values):
    return [("Set-Cookie", value) for value in values]


def redirect(status, location, extra=()):
    return status, [("Location", location), *extra]


def to_https(path, ports, host="localhost", status=301):
    return redirect(status, f"https://{host}:{ports['https']}{path}")


# The policies fixtures/csp's Django apps send (the nonce differs on every response there).
CSP_STRICT = (
    "default-src 'self'; script-src 'self' 'nonce-bG9vcGJhY2s' 'strict-dynamic'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
)
CSP_HEADERS = {
    "csp_strict": [
        ("Content-Security-Policy", CSP_STRICT),
        ("X-Frame-Options", "DENY"),
    ],
    # XFrameOptionsMiddleware removed.
    "csp_weak": [
        (
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'unsafe-inline' https: data:",
        )
    ],
    "csp_unrestricted": [
        ("Content-Security-Policy", "object-src 'none'; frame-ancestors 'self'"),
        ("X-Frame-Options", "DENY"),
    ],
    "csp_report_only_copy": [
        ("Content-Security-Policy", CSP_STRICT),
        ("Content-Security-Policy-Report-Only", CSP_STRICT),
        ("X-Frame-Options", "DENY"),
    ],
    # A page that never read the nonce: Django left it out.
    "csp_nonce_dropped": [
        (
            "Content-Security-Policy",
            (
                "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                "object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
            ),
        ),
        ("X-Frame-Options", "DENY"),
    ],
}


def with_csp(headers):
    def answer(path, ports):
        status, good = good_https(path, ports)
        return status, good + headers

    return answer


# scenario -> (plain-HTTP answer, HTTPS answer); each answer is f(path, ports) -> (status, headers)
SCENARIOS = {
    "good": (to_https, good_https),
    "double_sts": (
        to_https,
        lambda path, ports: (
            200,
            [
                ("Strict-Transport-Security", "max-age=31536000"),
                ("Strict-Transport-Security", STS_ONE_YEAR),
            ]
            + cookies(DJANGO_COOKIES),
        ),
    ),
    # Django behind a TLS-terminating proxy without SECURE_PROXY_SSL_HEADER.
    "self_redirect": (
        to_https,
        lambda path, ports: to_https(path, ports),
    ),
    "off_host": (
        lambda path, ports: to_https(path, ports, host="127.0.0.1"),
        good_https,
    ),
    "too_many": (
        to_https,
        lambda path, ports: redirect(
            301,
            f"/hop{int(path.strip('/').removeprefix('hop') or 0) + 1}/",
            [("Strict-Transport-Security", STS_ONE_YEAR)],
        ),
    ),
    "insecure_cookies": (
        to_https,
        lambda path, ports: (
            200,
            [("Strict-Transport-Security", STS_ONE_YEAR)]
            + cookies(
                [
                    "sessionid=opaque; Path=/",
                    "csrftoken=opaque; Path=/; SameSite=Lax",
                    "__Host-prefs=1; Domain=localhost; Path=/; Secure",
                    "tracking=1; SameSite=None",
                    "heroku-session-affinity=opaque; Path=/",
                ]
            ),
        ),
    ),
    "http_content": (
        lambda path, ports: (200, [("Strict-Transport-Security", STS_ONE_YEAR)]),
        good_https,
    ),
    "temporary_redirect": (
        lambda path, ports: to_https(path, ports, status=302),
        lambda path, ports: (
            200,
            [("Strict-Transport-Security", "max-age=3600; preload")]
            + cookies(DJANGO_COOKIES),
        ),
    ),
    "hang": (None, good_https),
    # Live sites for the gate's comparison with the tutorial's HSTS (3600 s, subdomains, preload).
    "tutorial_hsts": (
        to_https,
        lambda path, ports: (
            200,
            [("Strict-Transport-Security", "max-age=3600; includeSubDomains; preload")],
        ),
    ),
    "weak_hsts": (
        to_https,
        lambda path, ports: (200, [("Strict-Transport-Security", "max-age=60")]),
    ),
    "javascript_location": (
        lambda path, ports: redirect(301, "javascript:alert(1)"),
        good_https,
    ),
    **{name: (to_https, with_csp(headers)) for name, headers in CSP_HEADERS.items()},
}


def handler_for(scheme, answer, ports):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            print(f"REQUEST {scheme} {self.path}", flush=True)
            status, headers = answer(self.path, ports)
            body = b"scripted\n"
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def hold_connections(listener):
    """Accepts connections and never answers: a site that hangs."""
    held = []
    while True:
        connection, _ = listener.accept()
        print("REQUEST http (hangs)", flush=True)
        held.append(connection)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--lifetime", type=float, default=60)
    args = parser.parse_args()
    http_answer, https_answer = SCENARIOS[args.scenario]
    ports = {}

    https_server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    https_server.socket = context.wrap_socket(https_server.socket, server_side=True)
    ports["https"] = https_server.server_address[1]
    https_server.RequestHandlerClass = handler_for("https", https_answer, ports)
    threads = [https_server.serve_forever]

    if http_answer is None:
        listener = socket.create_server(("127.0.0.1", 0))
        ports["http"] = listener.getsockname()[1]
        threads.append(lambda: hold_connections(listener))
    else:
        http_server = ThreadingHTTPServer(("127.0.0.1", 0), None)
        ports["http"] = http_server.server_address[1]
        http_server.RequestHandlerClass = handler_for("http", http_answer, ports)
        threads.append(http_server.serve_forever)

    for target in threads:
        threading.Thread(target=target, daemon=True).start()
    print(json.dumps(ports), flush=True)
    time.sleep(args.lifetime)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
