#!/usr/bin/env python3
"""Print rotation-stream alerts from the gateway's Server-Sent Events stream.

Standard library only (urllib). Reconnects by itself and resumes with Last-Event-ID, so an
alert published while the connection was down is printed once it is back, and none twice.

    python3 consumer.py --url http://127.0.0.1:8080 [--token TOKEN] [--channels alerts]
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# The gateway's frames are small; a line longer than this is not one of them.
MAX_LINE_BYTES = 1 << 20


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", default=os.environ.get("GATEWAY_URL", "http://127.0.0.1:8080"), help="the gateway's base URL")
    p.add_argument("--token", default=os.environ.get("GATEWAY_TOKEN"), help="API token (or GATEWAY_TOKEN); sent as a bearer header")
    p.add_argument("--channels", default="alerts", help="comma-separated channels, e.g. alerts,alerts:mine")
    p.add_argument("--last-event-id", default=None, help="resume after this position (printed to stderr on exit)")
    p.add_argument("--max-alerts", type=int, default=0, help="exit after this many alerts (0: run until interrupted)")
    p.add_argument("--json", action="store_true", help="print each alert as one JSON line")
    return p.parse_args()


def events(response):
    """Yields (id, data) for each dispatched event; a bare `id:` (no data) yields (id, None)."""
    event_id, data = None, []
    while True:
        raw = response.readline(MAX_LINE_BYTES)
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if event_id is not None or data:
                yield event_id, "\n".join(data) if data else None
            event_id, data = None, []
        elif line.startswith(":"):
            continue  # a comment: heartbeat, or why the server closed
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "id":
                event_id = value


def show(alert, as_json):
    if as_json:
        print(json.dumps(alert, separators=(",", ":")), flush=True)
        return
    window = f" {alert['window']}" if alert.get("window") else ""
    print(f"{alert['eventTime']} #{alert['seq']} {alert['severity']:<8} {alert['kind']} {alert['subject']}{window}: {alert['message']}", flush=True)


def stream_once(args, state):
    query = urllib.parse.urlencode({"channels": args.channels})
    request = urllib.request.Request(f"{args.url.rstrip('/')}/api/v1/events?{query}", headers={"Accept": "text/event-stream"})
    if args.token:
        request.add_header("Authorization", f"Bearer {args.token}")
    if state["last_id"]:
        request.add_header("Last-Event-ID", state["last_id"])
    with urllib.request.urlopen(request, timeout=60) as response:
        state["backoff"] = 1
        for event_id, data in events(response):
            if event_id:
                state["last_id"] = event_id
            if data is None:
                continue
            frame = json.loads(data)
            if frame.get("type") == "event" and frame["channel"].startswith("alerts"):
                # Several alert channels may carry the same alert: print it once.
                if frame["seq"] in state["seen"]:
                    continue
                state["seen"].add(frame["seq"])
                if len(state["seen"]) > 10_000:
                    state["seen"] = set(sorted(state["seen"])[-5_000:])
                show(frame["data"], args.json)
                state["count"] += 1
                if args.max_alerts and state["count"] >= args.max_alerts:
                    return True
            elif frame.get("type") == "resync":
                # A new history (or one that no longer reaches back): seqs start over.
                state["seen"].clear()
                print(f"resync ({frame['reason']}): now at #{frame['seq']}", file=sys.stderr, flush=True)
    return False


def main():
    args = parse_args()
    state = {"last_id": args.last_event_id, "count": 0, "seen": set(), "backoff": 1}
    try:
        while True:
            try:
                if stream_once(args, state):
                    break
                print("stream ended; reconnecting", file=sys.stderr, flush=True)
            except urllib.error.HTTPError as e:
                if e.code in (400, 401, 403, 404):
                    print(f"refused: HTTP {e.code} {e.read().decode('utf-8', 'replace')}", file=sys.stderr)
                    return 2
                print(f"HTTP {e.code}; retrying", file=sys.stderr, flush=True)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                print(f"connection lost ({e}); retrying", file=sys.stderr, flush=True)
            time.sleep(state["backoff"])
            state["backoff"] = min(state["backoff"] * 2, 10)
    except KeyboardInterrupt:
        pass
    finally:
        if state["last_id"]:
            print(f"last-event-id: {state['last_id']}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
