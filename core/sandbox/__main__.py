"""``python -m core.sandbox --port 8799 [--state-dir DIR] [--no-rate-limits] [--latency-ms N] [--error-rate F] [--drop-rate F]``."""
from __future__ import annotations

import argparse
from pathlib import Path

from core.sandbox.faults import Faults
from core.sandbox.feeds import FeedTiming
from core.sandbox.server import create


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m core.sandbox", description="Local SP-API sandbox on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-dir", type=Path, default=None, help="default: <runtime dir>/sandbox")
    parser.add_argument("--catalog-seed", type=Path, default=None, help="default: data/sandbox/catalog_seed.json")
    parser.add_argument("--no-rate-limits", action="store_true", help="do not enforce Amazon's rate limits")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of 500/503 answers")
    parser.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped connections")
    parser.add_argument("--throttle-rate", type=float, default=0.0, help="share of forced 429 answers")
    parser.add_argument("--feed-seconds", type=float, nargs=2, default=(0.5, 1.0), metavar=("IN_QUEUE", "IN_PROGRESS"))
    parser.add_argument("--gzip-reports", action="store_true", help="GZIP feed processing reports")
    args = parser.parse_args(argv)
    faults = Faults(args.latency_ms, args.error_rate, args.drop_rate, args.throttle_rate).validated()
    server = create(args.port, args.state_dir, rate_limits=not args.no_rate_limits, faults=faults, host=args.host,
                    catalog_seed=args.catalog_seed, feed_timing=FeedTiming(*args.feed_seconds),
                    gzip_reports=args.gzip_reports)
    print(f"SP-API sandbox listening on {server.url} (state: {server.state_dir})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
