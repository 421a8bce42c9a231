"""The screens' budgets, for bench/run.sh (bench/screens.sh): signs in through the development sign-in page (the API runs
with Auth:DevelopmentSignIn for this scenario), then

    python3 bench/screens.py signin HOST PORT ROLE [COUNTRY]     prints the session's Cookie header value
    python3 bench/screens.py size HOST PORT COOKIE PATH
        what a first visit to PATH transfers: the HTML (gzip level 6, as a proxy in front compresses it; the service
        does not compress pages) plus every stylesheet and script it links, as served with Accept-Encoding: br, gzip
        (static assets are served precompressed); prints {html, htmlGzip, assets, total} in bytes
"""
import gzip
import http.client
import json
import re
import sys
import urllib.parse


def connect(host, port):
    return http.client.HTTPConnection(host, int(port), timeout=60)


def cookies_of(response):
    return [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]


def signin(host, port, role, country=""):
    c = connect(host, port)
    c.request("GET", "/signin")
    r = c.getresponse()
    page = r.read().decode()
    jar = cookies_of(r)
    token = re.search(r'name="__RequestVerificationToken" value="([^"]+)"', page)
    if r.status != 200 or not token:
        sys.exit(f"GET /signin: {r.status}, no antiforgery token (is Auth:DevelopmentSignIn on?)")
    form = urllib.parse.urlencode({"_handler": "signin", "__RequestVerificationToken": token.group(1), "Input.ReturnUrl": "/",
                                   "Input.Role": role, "Input.Name": f"Bench {role} {country}".strip(), "Input.Country": country})
    c.request("POST", "/signin", body=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(jar)})
    r = c.getresponse()
    r.read()
    session = cookies_of(r)
    if r.status not in (200, 302) or not session:
        sys.exit(f"POST /signin: {r.status}, no session cookie")
    print("; ".join(jar + session))


def size(host, port, cookie, path):
    c = connect(host, port)
    c.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html", "Accept-Encoding": "br, gzip"})
    r = c.getresponse()
    html = r.read()
    if r.status != 200 or r.getheader("Content-Encoding"):
        sys.exit(f"GET {path}: {r.status}, encoding {r.getheader('Content-Encoding')}")
    text = html.decode()
    links = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', text) + re.findall(r'<script[^>]+src="([^"]+)"', text)
    # Relative links resolve against the page's <base href> (the screens set "/"), else the page itself.
    base = urllib.parse.urljoin(path, m.group(1)) if (m := re.search(r'<base href="([^"]+)"', text)) else path
    assets = 0
    for link in dict.fromkeys(links):
        if re.match(r"^[a-z]+:|^//", link):
            sys.exit(f"{path} links {link}, on another origin")
        c.request("GET", urllib.parse.urljoin(base, link), headers={"Cookie": cookie, "Accept-Encoding": "br, gzip"})
        a = c.getresponse()
        body = a.read()
        if a.status != 200:
            sys.exit(f"GET {link}: {a.status}")
        assets += len(body)
    compressed = len(gzip.compress(html, compresslevel=6))
    print(json.dumps({"html": len(html), "htmlGzip": compressed, "assets": assets, "total": compressed + assets}))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"signin": signin, "size": size}[command](*args)
