"""The bundled demo sample, written by the project itself in the offices' real formats."""

from warning.demo.sample.builder import plan_sample, write_sample
from warning.demo.sample.documents import DEMO_DATE

__all__ = ["DEMO_DATE", "plan_sample", "write_sample"]
