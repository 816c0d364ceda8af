"""``python -m didww_iac.emulator``: run the local DIDWW API v3 emulator."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from didww_iac.emulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_BALANCE,
    DEFAULT_ORDER_DELAY,
    DEFAULT_RATE_LIMIT,
    DEFAULT_STOCK,
    LATEST_VERSION,
    MAX_STOCK,
    SUPPORTED_VERSIONS,
    AccountSeed,
    FaultSettings,
    check_stock,
)
from didww_iac.emulator.server import serve


def _seconds(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more seconds")
    return value


def _stock(text: str) -> int:
    try:
        return check_stock(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {MAX_STOCK}") from None


def _account_seed(text: str) -> AccountSeed:
    try:
        return AccountSeed.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="didww-iac emulator", description="Run the local DIDWW API v3 emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--state", default=None, help="SQLite file that keeps the account across restarts")
    parser.add_argument("--api-version", default=LATEST_VERSION, choices=SUPPORTED_VERSIONS)
    parser.add_argument(
        "--rate-limit",
        type=float,
        default=DEFAULT_RATE_LIMIT,
        help="requests per second per API key; 0 = off",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for generated ids and credentials")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help=f"accepted key (repeatable; default {DEFAULT_API_KEY})",
    )
    parser.add_argument("--admin", action="store_true", help="mount the test admin API under /__emulator/")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every /v3 request")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of /v3 requests answered 500")
    parser.add_argument("--drop-rate", type=float, default=0.0, help="share of /v3 requests whose socket is closed")
    parser.add_argument(
        "--throttle-next", type=int, default=0, help="answer the next N /v3 requests with 429 (a burst)"
    )
    parser.add_argument("--retry-after", type=float, default=None, help="Retry-After seconds on those 429s")
    parser.add_argument(
        "--order-delay",
        type=_seconds,
        default=DEFAULT_ORDER_DELAY,
        help="seconds a DID order stays pending before it completes (0: at once)",
    )
    parser.add_argument(
        "--balance", default=DEFAULT_BALANCE, help="opening prepaid balance of a new account, e.g. 100.00"
    )
    parser.add_argument(
        "--stock",
        type=_stock,
        default=DEFAULT_STOCK,
        metavar="N",
        help=f"numbers in stock per DID group of a new account (default {DEFAULT_STOCK}, at most {MAX_STOCK})",
    )
    parser.add_argument(
        "--seed-account",
        type=_account_seed,
        default=None,
        metavar="trunks=N,groups=N,dids=N",
        help="start a new account with SIP trunks, trunk groups and DIDs made as in the DIDWW panel",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    serve(
        host=args.host,
        port=args.port,
        state_file=args.state,
        api_version=args.api_version,
        rate_limit=args.rate_limit,
        seed=args.seed,
        api_keys=args.api_keys,
        admin=args.admin,
        faults=FaultSettings(
            latency=args.latency,
            error_rate=args.error_rate,
            drop_rate=args.drop_rate,
            throttle_next=args.throttle_next,
            retry_after=args.retry_after,
        ),
        order_delay=args.order_delay,
        balance=args.balance,
        stock_per_group=args.stock,
        seed_account=args.seed_account,
    )


if __name__ == "__main__":
    main()
