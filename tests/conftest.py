"""Shared fixtures: the pipeline (offline segmenter), seed paths, and a doc helper."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def nlp():
    """The default pipeline, built once per test session."""
    from kg.nlp import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """doc_id → decoded, normalised seed text."""
    from kg.corpus import read_document

    return {p.stem: read_document(p).text for p in sorted(SEEDS.glob("*.txt"))}
