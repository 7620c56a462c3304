from tests.passage.conftest import front

__all__ = ["front"]
