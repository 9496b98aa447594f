"""The deterministic demo county: `seed_demo(session)` fills an empty database."""

from backend.demo.generate import DemoSummary, seed_demo

__all__ = ["DemoSummary", "seed_demo"]
