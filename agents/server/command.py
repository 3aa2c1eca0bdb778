"""`hch serve-model`: the local OpenAI-compatible server, for trying the LLM path offline.

Registered as an ``hch.commands`` entry point: the engine's CLI knows no model server.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys

from hch.commands.support import fraction, non_negative, port, positive_int
from hch.errors import ConfigError

__all__ = ["add_parser"]


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve-model",
        help="serve a simulated model over an OpenAI-compatible API on 127.0.0.1",
        description="Serve the simulated arithmetic model at /v1/chat/completions and "
        "/v1/models; prints its base URL when ready. Ctrl-C stops it.",
    )
    p.add_argument("--port", type=port, default=0, help="port (default: 0, a free one)")
    p.add_argument(
        "--real",
        action="store_true",
        help="serve the real SmolLM2-135M model on llama.cpp instead (needs make real-model)",
    )
    p.add_argument(
        "--threads", type=positive_int, default=2, help="with --real: CPU threads (default: 2)"
    )
    p.add_argument("--name", default="hch-simulated", help="model name it reports")
    p.add_argument(
        "--p-error", type=fraction, default=0.0, help="chance an answer is off (default: 0)"
    )
    p.add_argument(
        "--p-garbled", type=fraction, default=0.0, help="chance a reply has no JSON (default: 0)"
    )
    p.add_argument("--style", choices=["json", "fenced"], default="json", help="reply style")
    p.add_argument("--seed", type=int, default=0, help="seed of the model and fault draws")
    f = p.add_argument_group("faults")
    f.add_argument(
        "--latency", type=non_negative, default=0.0, help="seconds per completion (default: 0)"
    )
    f.add_argument("--p-429", type=fraction, default=0.0, help="fraction answered 429 (default: 0)")
    f.add_argument(
        "--retry-after",
        type=non_negative,
        default=0.05,
        help="Retry-After seconds (default: 0.05)",
    )
    f.add_argument("--p-500", type=fraction, default=0.0, help="fraction answered 500 (default: 0)")
    f.add_argument(
        "--p-timeout", type=fraction, default=0.0, help="fraction that hang (default: 0)"
    )
    f.add_argument(
        "--hang",
        type=non_negative,
        default=30.0,
        help="seconds a hanging request waits (default: 30)",
    )
    f.add_argument(
        "--p-malformed",
        type=fraction,
        default=0.0,
        help="fraction with a non-JSON body (default: 0)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.real:
        return _serve_real(args)
    try:
        from agents.server import Faults, ModelServer, SimulatedModel
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"hch serve-model needs the serve extra ({exc.name} is missing): "
            "pip install 'hch[serve]'"
        ) from None

    model = SimulatedModel(
        p_error=args.p_error, p_garbled=args.p_garbled, style=args.style, seed=args.seed
    )
    faults = Faults(
        latency=args.latency,
        p_429=args.p_429,
        retry_after=args.retry_after,
        p_500=args.p_500,
        p_timeout=args.p_timeout,
        hang=args.hang,
        p_malformed=args.p_malformed,
        seed=args.seed,
    )
    server = ModelServer(
        model, faults, model_name=args.name, port=args.port
    )  # ConfigError if taken
    print(server.base_url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _serve_real(args: argparse.Namespace) -> int:
    from agents.real_model import MODEL_ALIAS, RealModelServer

    # SIGTERM ends the command through the ``with`` below, so the model server stops too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with RealModelServer(port=args.port or None, threads=args.threads) as server:
        print(server.base_url, flush=True)
        print(f"model: {MODEL_ALIAS} (use -a structured=json_object_schema)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.wait()
    return 0
