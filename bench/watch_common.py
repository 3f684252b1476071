"""What bench/watch_latency.py and bench/watch_soak.py share: starting `serve --watch`, its health, and
writing a file as an instrument does (the first half, then the rest)."""
import json
import os
import subprocess
import urllib.request


def start_serve(args):
    """Starts `tolteca_db serve … --json` (args: the whole command); returns (process, base URL)."""
    srv = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    lines = []
    while not lines or lines[-1] != "}":  # serve --json prints its address as one JSON object
        line = srv.stdout.readline()
        if not line:
            raise SystemExit(f"serve stopped before it listened: {' '.join(args)}")
        lines.append(line.rstrip("\n"))
    return srv, "http://" + json.loads("\n".join(lines))["http"]


def health(url):
    with urllib.request.urlopen(url + "/api/v1/health", timeout=30) as r:
        return json.load(r)["watch"]


def write_in_two_steps(data, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as f:
        f.write(data[: len(data) // 2])
    with open(dst, "ab") as f:
        f.write(data[len(data) // 2:])
